import Foundation
import SmeltArtifact
import SmeltEngine
import SmeltModels
import Testing

/// The real Gemma-3 vocabulary through an artifact's tokenizer section and
/// back: the rebuilt tokenizer must give llama.cpp's prompt ids.
@Suite(.enabled(if: !skipModelTests, "SMELT_SKIP_MODEL_TESTS=1"))
struct ArtifactTokenizerTests {
    @Test func gemmaTokenizerSurvivesTheArtifact() throws {
        let original = try SentencePieceTokenizer(gguf: GGUFFile(path: gemmaModelPath()))
        let data = TokenizerData(original.vocabulary, chatTemplate: nil, architecture: "gemma3")
        let plan = ExecutionPlan(modelName: "gemma3", vocabularySize: original.vocabularySize, contextLength: 1,
                                 prefillChunk: 1, kernels: [],
                                 buffers: [PlannedBuffer(name: "control", role: .control, byteSize: 32)],
                                 decode: [], prefill: [], controlBuffer: 0, tokensBuffer: 0, logitsBuffer: 0,
                                 outputBuffer: 0)
        let manifest = ArtifactManifest(modelName: "gemma3", contextLength: 1, graphHash: "-", pipeline: "-",
                                        deviceProfile: "-", fusionPlan: "")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-\(UUID().uuidString).smelt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ArtifactWriter.write(to: path, manifest: manifest, plan: plan, weights: [UInt8](), tokenizer: data)

        let artifact = try Artifact(path: path)
        #expect(artifact.tokenizer == data)
        let rebuilt = try artifact.tokenizer.makeTokenizer()
        #expect(rebuilt.vocabulary == original.vocabulary)
        #expect(try artifact.tokenizer.makeChatTemplate() == .gemma)
        for p in try GreedyReference.load().prompts {
            #expect(rebuilt.encode(p.prompt, addBOS: true, parseSpecial: p.parseSpecial) == p.promptIDs, "\(p.id)")
        }
    }
}
