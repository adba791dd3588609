import ArgumentParser
import Foundation
import SmeltIR

/// The `smelt` command line: a thin layer over the engine.
@main
struct Smelt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smelt",
        abstract: "A graph compiler and runtime for transformer inference.",
        subcommands: [RunCommand.self, CompileCommand.self, PlanCommand.self, BenchCommand.self, ScoreCommand.self, PerplexityCommand.self, TokenizeCommand.self,
                      GraphCommand.self, OpsCommand.self, InspectCommand.self, DevicesCommand.self]
    )

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Foundation.exit(1)
    }

    /// Runs the command; user errors print one line on stderr and exit 1.
    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            // --help and --version exit 0 with their text.
            if exitCode(for: error) == .success { exit(withError: error) }
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            fail(message + " (see 'smelt help')")
        }
        do {
            try command.run()
        } catch let error as ValidationError {
            fail("\(error) (see 'smelt help')")
        } catch {
            // `smelt --help` runs the help command, which exits cleanly.
            if exitCode(for: error) == .success { exit(withError: error) }
            // Errors from the engine and the runtime name what went wrong;
            // keep them on one line.
            let lines = "\(error)".split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            fail(lines.reduce("") { $0.isEmpty ? $1 : $0 + ($0.hasSuffix(":") ? " " : "; ") + $1 })
        }
    }
}
