import ArgumentParser
import SmeltIR

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Generate tokens.")
    func run() throws { throw SmeltError("not yet") }
}
