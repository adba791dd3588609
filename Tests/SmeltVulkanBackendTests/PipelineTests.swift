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
        #expect(context.statistics["fuse-matvec-residual-norm"]?["kernels formed"] ?? 0 > 0)
        #expect(context.statistics["fuse-gated-ffn"]?["kernels formed"] ?? 0 > 0)
        #expect(context.statistics["fuse-qk-norm-rope"]?["kernels formed"] ?? 0 > 0)

        try withValidatedDevice { device in
            let perOp = try VulkanBackend(model: model, device: device, prefillChunk: 4)
            let backend = try VulkanBackend(model: fused, device: device, prefillChunk: 4)
            let labels = decodeLabels(backend)
            for kernel in ["matvec_residual_norm", "gated_matvec", "qk_norm_rope"] {
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
