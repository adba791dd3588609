import ArgumentParser
import Foundation
import SmeltEngine
import SmeltIR

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Parse and verify a graph file; print it in canonical form.",
        discussion: """
        With --config, the graph is instantiated against the model config (every \
        expression evaluated, every repeat unrolled; keys the config leaves to its \
        checkpoint are read from the checkpoint's metadata) and verified; without it, \
        only graphs that use no config keys can be verified. --flat prints the \
        instantiated graph, one op per line with its type.
        """
    )

    @Argument(help: "The .graph file.") var file: String
    @Option(help: "A model config (configs/models/*.yaml) the graph's config.KEY refer to.") var config: String?
    @Flag(help: "Print the instantiated graph (repeats unrolled, shapes inferred).") var flat = false

    func run() throws {
        let source = try readGraph(file)
        let env = try config.map { try ModelLoader.resolvedConfig($0).environment } ?? .empty
        let graph = try source.instantiate(env)
        print(flat ? graph.text : GraphPrinter.print(source), terminator: "")
    }
}

struct OpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ops", abstract: "List the ops of the IR.")

    func run() throws {
        let width = OpRegistry.names.map(\.count).max() ?? 0
        for op in OpRegistry.all {
            let attributes = op.attributes.map { $0.isRequired ? $0.name : "[\($0.name)]" }.joined(separator: ", ")
            print("\(op.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(op.summary)")
            print("\(String(repeating: " ", count: width))  operands: \(op.operandNames.joined(separator: ", "))"
                  + (attributes.isEmpty ? "" : "; attributes: \(attributes)"))
        }
    }
}

/// Reads a graph file, turning I/O and encoding problems into user errors.
func readGraph(_ path: String) throws -> GraphSource {
    try GraphParser.parse(try readTextFile(path, what: "the graph file"), file: path)
}
