import Foundation
import SmeltEngine
import SmeltIR
import SmeltReference

/// Ground truth for Gemma-3 270M from ../shared/reference/gemma3-270m/.
struct GreedyReference: Decodable {
    struct Prompt: Decodable {
        var id: String
        var prompt: String
        var parseSpecial: Bool
        var promptIDs: [Int32]
        var generatedIDs: [Int32]
        var steps: [Step]
        var exactGreedyIDs: [Int32]
        var exactGap12: [Double]

        enum CodingKeys: String, CodingKey {
            case id, prompt, parseSpecial = "parse_special", promptIDs = "prompt_ids", generatedIDs = "generated_ids"
            case steps, exactGreedyIDs = "exact_greedy_ids", exactGap12 = "exact_gap12"
        }
    }

    struct Step: Decodable {
        var token: Int32
        var gap12: Double
        /// [[id, logit]]
        var top5: [[Double]]
    }

    var prompts: [Prompt]

    static let directory = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference/gemma3-270m")

    static func load() throws -> GreedyReference {
        let url = directory.appendingPathComponent("greedy.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SmeltError("reference data \(url.path) not found: ../shared must sit beside the repository")
        }
        return try JSONDecoder().decode(GreedyReference.self, from: data)
    }

    /// 262,144 little-endian float32 logits.
    static func logits(_ name: String) throws -> [Float] {
        let path = directory.appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path) else { throw SmeltError("\(path) not found") }
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}

/// The model file the tests run: `$SMELT_GGUF`, else `models/...` in the
/// repository (`make model` puts it there). Absent, the tests fail and say so.
func gemmaModelPath() throws -> String {
    if let path = ProcessInfo.processInfo.environment["SMELT_GGUF"], !path.isEmpty { return path }
    let path = repoPath("models/gemma-3-270m-q4_k_m.gguf")
    guard FileManager.default.fileExists(atPath: path) else {
        throw SmeltError("\(path) is missing: run `make model` (or set SMELT_SKIP_MODEL_TESTS=1 to skip model tests)")
    }
    return path
}

let skipModelTests = ProcessInfo.processInfo.environment["SMELT_SKIP_MODEL_TESTS"] == "1"

/// Gemma-3 on the reference backend, loaded once for every test.
enum SharedGemma {
    static let loaded: Result<LoadedModel, any Error> = Result {
        var model = try ModelLoader.load(repoPath("configs/models/gemma3-270m.yaml"))
        if let override = ProcessInfo.processInfo.environment["SMELT_GGUF"], !override.isEmpty {
            model = try ModelLoader.load(override)
        }
        _ = try gemmaModelPath()
        return model
    }
    static let reference: Result<ReferenceModelBox, any Error> = Result {
        ReferenceModelBox(try loaded.get().referenceModel())
    }
    /// The default pipeline's graph: fused regions (run by their members),
    /// Q5_0 matrices stored as Q8_0 (exact), the KV cache select-kv-layout chose.
    static let defaultPipeline: Result<ReferenceModelBox, any Error> = Result {
        let (model, _) = try loaded.get().applying(.named("default"))
        return ReferenceModelBox(try model.referenceModel())
    }
}

/// Lets the dequantized model be shared between tests.
final class ReferenceModelBox: @unchecked Sendable {
    let model: ReferenceModel
    init(_ model: ReferenceModel) { self.model = model }
}
