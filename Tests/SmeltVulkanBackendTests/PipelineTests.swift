import Foundation
import Testing
import SmeltArtifact
import SmeltEngine
import SmeltIR
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
        let prompt = tinyLlamaPrompt
        let (reference, expected) = try tinyLlamaReference(model, count: 16)
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

/// A compressed KV cache (`--kv-cache f16`, `--kv-cache q8_0`) through
/// both pipelines: the plan's caches shrink as the type says (f16 half the
/// f32 bytes; q8_0 9/32: a byte and an eighth of a scale per value), and
/// the Vulkan tokens and logits equal the reference interpreter's, which
/// rounds its cache the same way. q8_0 runs on tiny-gemma (head size 64,
/// q/k norms: in prefill the fused qk_norm_rope writes the quantized keys,
/// in decode qkv_rope; an 8-token window the prompt and generation pass);
/// tiny-llama's heads of 16 take qk_norm_rope in decode too.
@Suite struct KVCacheTests {
    static let cases: [(String, DType, String)] = [
        ("tiny-llama", .f16, "none"), ("tiny-llama", .f16, "default"), ("tiny-gemma", .f16, "default"),
        ("tiny-gemma", .q8_0, "none"), ("tiny-gemma", .q8_0, "default"),
    ]

    @Test(arguments: cases) func compressedCacheMatchesReference(config: String, dtype: DType, pipeline: String) throws {
        let unfused = try ModelLoader.load(repoPath("configs/models/\(config).yaml"))
        let (model, context) = try unfused.applying(PipelineOptions(pipeline: try Pipeline.load(pipeline), kvCache: dtype))
        let writes = model.graph.ops.flatMap { [$0] + ($0.region?.ops ?? []) }.filter { $0.kind == "kv_write" }
        #expect(!writes.isEmpty && writes.allSatisfy { $0.attributes["dtype"]?.symbolValue == dtype.rawValue })
        #expect(context.remarks.contains { $0.pass == "select-kv-layout" && $0.reason.contains("--kv-cache \(dtype)") })
        let prompt = tinyLlamaPrompt
        let (reference, expected) = try tinyLlamaReference(model, count: 16)
        let expectedLogits = try reference.scoreLogits(prompt + expected.prefix(8))
        try withValidatedDevice { device in
            let backend = try VulkanBackend(model: model, device: device, prefillChunk: 4)
            let f32 = try VulkanBackend(model: unfused, device: device, prefillChunk: 4)
            let cacheBytes = { (b: VulkanBackend) in
                b.runtime.plan.buffers.filter { $0.role == .kvCache }.reduce(0) { $0 + $1.byteSize }
            }
            #expect(cacheBytes(backend) * (dtype == .f16 ? 2 : 32) == cacheBytes(f32) * (dtype == .f16 ? 1 : 9))
            #expect(try Generator(backend: backend).generate(prompt: prompt, maxTokens: 16).tokens == expected)
            try backend.reset(sampling: .greedy)
            let diff = maxAbsDifference(try backend.scoreLogits(prompt + expected.prefix(8)), expectedLogits)
            print("\(config) \(dtype) cache, \(pipeline): max |vulkan - reference| = \(diff)")
            #expect(diff <= tinyLlamaLogitTolerance, "\(dtype) cache: max |vulkan - reference| = \(diff)")
        }
    }
}
