import ArgumentParser
import Foundation
import SmeltIR

/// The `smelt` command line: a thin layer over the engine.
@main
struct Smelt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smelt",
        abstract: "A graph compiler and runtime for transformer inference.",
        subcommands: [GraphCommand.self, RunCommand.self, OpsCommand.self]
    )

    /// Runs the command; user errors print one line on stderr and exit 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as SmeltError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }
}
