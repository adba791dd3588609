import Foundation
import Testing
import SmeltIR

@Suite struct RoundTripTests {
    static let graphFiles: [String] = {
        let dir = repoPath("Graphs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".graph") }.sorted().map { "\(dir)/\($0)" }
    }()

    @Test func graphsFolderIsNotEmpty() {
        #expect(Self.graphFiles.contains { $0.hasSuffix("llama.graph") })
    }

    /// Every file in Graphs/ is written in canonical form: printing what was
    /// parsed gives back the file byte for byte.
    @Test(arguments: graphFiles) func sourceRoundTrips(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let printed = GraphPrinter.print(try GraphParser.parse(text, file: path))
        #expect(printed == text)
    }

    /// The flat (instantiated) form prints as graph text that parses back to
    /// an equal graph, and printing that again gives the same text.
    @Test func flatGraphRoundTrips() throws {
        let config = try ModelConfig.load(path: repoPath("configs/models/tiny-llama.yaml"))
        let graph = try instantiate(try String(contentsOfFile: config.graphPath, encoding: .utf8), config.environment)
        let reparsed = try Graph.parse(graph.text, file: "flat.graph")
        #expect(reparsed.text == graph.text)
        #expect(reparsed.ops.count == graph.ops.count)
        #expect(reparsed.values.map(\.type) == graph.values.map(\.type))
    }

    @Test func commentsAndBlankLinesSurvive() throws {
        let text = """
        // header comment
        graph g {
          %t = input : i32[T]

          // the table
          %e = weight {name = "e", shape = [10, 4]}
          %x = embedding %e, %t
          output %x
          // trailing
        }

        """
        #expect(GraphPrinter.print(try GraphParser.parse(text, file: "g")) == text)
    }

    @Test func expressionsPrintWithMinimalParentheses() throws {
        let text = """
        graph g {
          %t = input : i32[T]
          %e = weight {name = "e", shape = [(config.a + 1) * 2, config.a - (1 - 2)]}
          %x = embedding %e, %t
          %y = scale %x {factor = layer in [1, 2] ? 1.0 / sqrt(4) : -0.5}
          output %y
        }

        """
        #expect(GraphPrinter.print(try GraphParser.parse(text, file: "g")) == text)
    }
}
