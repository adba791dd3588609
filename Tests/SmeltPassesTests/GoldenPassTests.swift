import Foundation
import Testing
import SmeltIR
import SmeltPasses

/// Graph-in/graph-out cases for every pass, from `Golden/<pass>.golden`:
/// the first line names the pass (`// pass: fuse-qkv`); cases are separated
/// by `// -----`; in each, the input graph, then `// CHECK:` and the graph
/// expected after the pass, then optionally `// DECLINED: text` lines, each
/// a substring of a reason the pass must give for a candidate it declined.
@Suite struct GoldenPassTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".golden") }.sorted()
    }

    @Test func everyPassHasGoldenCases() {
        let covered = Set(Self.files.map { String($0.dropLast(".golden".count)) })
        #expect(Set(PassRegistry.names).subtracting(covered).isEmpty,
                "passes without Golden/<name>.golden: \(Set(PassRegistry.names).subtracting(covered).sorted())")
    }

    @Test(arguments: files) func golden(file: String) throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(file), encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        let header = lines.removeFirst()
        let passName = try #require(header.hasPrefix("// pass: ") ? String(header.dropFirst(9)) : nil)
        let pass = try #require(PassRegistry.make(passName), "unknown pass \(passName)")
        for (number, chunk) in lines.joined(separator: "\n").components(separatedBy: "// -----\n").enumerated() {
            let parts = chunk.components(separatedBy: "// CHECK:\n")
            try #require(parts.count == 2, "\(file) case \(number + 1): no // CHECK: line")
            var expected = parts[1].components(separatedBy: "\n")
            let declined = expected.filter { $0.hasPrefix("// DECLINED: ") }.map { String($0.dropFirst(13)) }
            expected.removeAll { $0.hasPrefix("// DECLINED: ") }
            let context = PassContext(profile: .lavapipe)
            let output = try PassManager(passes: [pass]).run(try Graph.parse(parts[0], file: file), context: context)
            let want = expected.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
            #expect(output.text == want, "\(file) case \(number + 1)")
            for reason in declined {
                #expect(context.declined.contains { $0.reason.contains(reason) },
                        "\(file) case \(number + 1): no declined candidate says '\(reason)'; got \(context.declined.map(\.reason))")
            }
            // The output parses back to the same graph.
            #expect(try Graph.parse(output.text, file: file).text == output.text)
        }
    }
}
