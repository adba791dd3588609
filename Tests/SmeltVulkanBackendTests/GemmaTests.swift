import Foundation
import Testing
import SmeltEngine
import SmeltVulkan

/// Max-abs tolerance of the Vulkan backend's Gemma-3 logits against exact
/// math (numpy_ref_first_step_*.f32): f16 weights and f32 activations.
/// See docs/Vulkan.md.
let gemmaLogitTolerance: Float = 0.05

/// Ground truth from ../shared/reference/gemma3-270m (exact float64 math).
struct GreedyFile: Decodable {
    struct Prompt: Decodable {
        var id: String
        var prompt_ids: [Int32]
        var exact_greedy_ids: [Int32]
        var exact_gap12: [Double]
    }

    var prompts: [Prompt]
}

let referenceDirectory = packageRoot.deletingLastPathComponent()
    .appendingPathComponent("shared/reference/gemma3-270m")

var skipModelTests: Bool { ProcessInfo.processInfo.environment["SMELT_SKIP_MODEL_TESTS"] == "1" }

func gemmaPath() -> String {
    if let path = ProcessInfo.processInfo.environment["SMELT_GGUF"], !path.isEmpty { return path }
    return repoPath("models/gemma-3-270m-q4_k_m.gguf")
}

@Suite(.disabled(if: skipModelTests, "SMELT_SKIP_MODEL_TESTS=1"))
struct GemmaTests {
    /// P1: free-running greedy ids equal the exact-math ids up to the first
    /// step whose top-1/top-2 gap is below twice the tolerance, and the
    /// first-step logits are within the tolerance of exact math.
    @Test func p1GreedyAndFirstStepLogits() throws {
        let data = try Data(contentsOf: referenceDirectory.appendingPathComponent("greedy.json"))
        let p1 = try #require(try JSONDecoder().decode(GreedyFile.self, from: data).prompts.first { $0.id == "P1" })
        let exactLogits = try Data(contentsOf: referenceDirectory.appendingPathComponent("numpy_ref_first_step_P1.f32"))
            .withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let comparable = p1.exact_gap12.firstIndex { $0 < 2 * Double(gemmaLogitTolerance) } ?? p1.exact_gap12.count
        #expect(comparable >= 8)

        let model = try ModelLoader.load(gemmaPath())
        try withValidatedDevice { device in
            let backend = try VulkanBackend(model: model, device: device, prefillChunk: 8)
            try backend.reset(sampling: .greedy)
            let first = try backend.step(p1.prompt_ids)
            let logits = try backend.runtime.readLogits()
            let diff = maxAbsDifference(logits, exactLogits)
            print("Gemma-3 P1 first-step logits: max |vulkan - exact| = \(diff)")
            #expect(diff <= gemmaLogitTolerance, "first-step logits: max |vulkan - exact| = \(diff)")

            var ids = [first]
            while ids.count < comparable { ids.append(try backend.step([ids.last!])) }
            #expect(ids == Array(p1.exact_greedy_ids.prefix(comparable)))
        }
    }
}
