import Foundation
import Testing
import SmeltIR
import SmeltPasses

@Suite struct PipelineFileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The built-in pipelines are the files in configs/pipelines.
    @Test(arguments: ["default", "none"]) func builtinEqualsFile(name: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("configs/pipelines/\(name).pipeline"),
                              encoding: .utf8)
        #expect(text == Pipeline.builtinText[name])
        let pipeline = try Pipeline.parse(text, name: name, file: "\(name).pipeline")
        #expect(pipeline.passes.allSatisfy { PassRegistry.make($0) != nil })
    }

    @Test func unknownPassNamesTheLine() {
        #expect(throws: SmeltError.self) { try Pipeline.parse("dead-code\n\nfuse-qvk\n", name: "p", file: "p.pipeline") }
        do {
            _ = try Pipeline.parse("dead-code\n\nfuse-qvk\n", name: "p", file: "p.pipeline")
        } catch {
            #expect("\(error)" == "p.pipeline:3:1: unknown pass 'fuse-qvk' (did you mean 'fuse-qkv'?)")
        }
    }

    @Test func disablingAnUnknownPassIsAnError() throws {
        let pipeline = try Pipeline.parse("dead-code\nfuse-qkv\n", name: "p", file: "p.pipeline")
        #expect(try PassManager(pipeline: pipeline, disabled: ["fuse-qkv"]).passes.map(\.name) == ["dead-code"])
        #expect(throws: SmeltError.self) { try PassManager(pipeline: pipeline, disabled: ["fuse-qkvv"]) }
    }

    @Test func unknownPipelineIsAnError() {
        #expect(throws: SmeltError.self) { try Pipeline.load("defualt", searchDirectory: "/nonexistent") }
    }
}
