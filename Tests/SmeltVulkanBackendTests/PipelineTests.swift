import Foundation
import Testing
import SmeltArtifact
import SmeltEngine
import SmeltPasses
import SmeltReference
import SmeltVulkan

/// The default (fused) pipeline against the per-op one and the reference
/// interpreter of the unfused graph.
@Suite struct PipelineTests {
    private func decodeLabels(_ backend: VulkanBackend) -> [String] {
        backend.runtime.plan.decode.compactMap { if case .dispatch(let d) = $0 { d.label } else { nil } }
    }

    @Test func fusedTinyLlamaMatchesReferenceAndPerOp() throws {
        let model = try loadTinyLlama()
        let reference = ReferenceBackend(model: try model.referenceModel())
        let prompt: [Int32] = [1, 17, 250, 3, 99, 42, 7]
        let expected = try Generator(backend: reference).generate(prompt: prompt, maxTokens: 16).tokens
        try reference.reset(sampling: .greedy)
        _ = try reference.step(prompt)
        var expectedSteps: [[Float]] = []
        // Decode-step logits of the reference, teacher-forced on its own tokens.
        for token in expected.prefix(4) {
            expectedSteps.append(try reference.scoreLogits([token]))
        }
        let (fused, context) = try model.applying(PipelineOptions(pipeline: try Pipeline.load("default")))
        #expect(context.statistics["fuse-residual-norm"]?["kernels formed"] ?? 0 > 0)
        #expect(context.statistics["fuse-gated-ffn"]?["kernels formed"] ?? 0 > 0)
        #expect(context.statistics["fuse-qk-norm-rope"]?["kernels formed"] ?? 0 > 0)

        try withValidatedDevice { device in
            let perOp = try VulkanBackend(model: model, device: device, prefillChunk: 4)
            let backend = try VulkanBackend(model: fused, device: device, prefillChunk: 4)
            let labels = decodeLabels(backend)
            for kernel in ["residual_norm", "gated_matvec", "qk_norm_rope"] {
                #expect(labels.contains { $0.hasPrefix(kernel) }, "decode list has no \(kernel) dispatch")
            }
            #expect(labels.count < decodeLabels(perOp).count)
            let generated = try Generator(backend: backend).generate(prompt: prompt, maxTokens: 16).tokens
            #expect(generated == expected)

            // Decode steps (the fused kernels) against the reference.
            try backend.reset(sampling: .greedy)
            _ = try backend.step(prompt)
            for (token, want) in zip(expected.prefix(4), expectedSteps) {
                _ = try backend.step([token])
                let diff = maxAbsDifference(try backend.runtime.readLogits(), want)
                #expect(diff <= tinyLlamaLogitTolerance, "decode logits: max |fused - reference| = \(diff)")
            }
        }
    }
}

/// Gemma-3 270M through the default pipeline (Q8_0 weights where the
/// profile says so, fused kernels) meets the same P1 checks as the per-op
/// pipeline: exact-math greedy ids up to the first near-tie and first-step
/// logits within the Vulkan tolerance.
@Suite(.disabled(if: skipModelTests, "SMELT_SKIP_MODEL_TESTS=1"))
struct GemmaPipelineTests {
    @Test func defaultPipelineP1() throws {
        let data = try Data(contentsOf: referenceDirectory.appendingPathComponent("greedy.json"))
        let p1 = try #require(try JSONDecoder().decode(GreedyFile.self, from: data).prompts.first { $0.id == "P1" })
        let exactLogits = try Data(contentsOf: referenceDirectory.appendingPathComponent("numpy_ref_first_step_P1.f32"))
            .withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let comparable = p1.exact_gap12.firstIndex { $0 < 2 * Double(gemmaLogitTolerance) } ?? p1.exact_gap12.count

        let (model, context) = try ModelLoader.load(gemmaPath())
            .applying(PipelineOptions(pipeline: try Pipeline.load("default")))
        #expect(context.statistics["fuse-qkv"]?["kernels formed"] ?? 0 > 0)
        try withValidatedDevice { device in
            let backend = try VulkanBackend(model: model, device: device, prefillChunk: 8)
            let labels = backend.runtime.plan.decode.compactMap { if case .dispatch(let d) = $0 { d.label } else { nil } }
            #expect(labels.contains { $0.hasPrefix("matvec_multi") })
            try backend.reset(sampling: .greedy)
            // The prompt runs the prefill list (row kernels fused, matvecs per op),
            // every later token the decode list (all fused kernels).
            let first = try backend.step(p1.prompt_ids)
            let diff = maxAbsDifference(try backend.runtime.readLogits(), exactLogits)
            print("Gemma-3 P1 default pipeline first-step logits: max |vulkan - exact| = \(diff)")
            var ids = [first]
            while ids.count < comparable { ids.append(try backend.step([ids.last!])) }
            #expect(ids == Array(p1.exact_greedy_ids.prefix(comparable)))
            #expect(diff <= gemmaLogitTolerance, "max |vulkan - exact| = \(diff)")
        }
    }
}
