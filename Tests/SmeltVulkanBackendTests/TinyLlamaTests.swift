import Testing
import SmeltEngine
import SmeltModels
import SmeltReference
import SmeltVulkan

/// Tolerance of the Vulkan backend against the f32 reference interpreter on
/// tiny-llama logits: weights are stored as f16 (relative rounding 2⁻¹¹),
/// everything else is f32. See docs/Vulkan.md.
let tinyLlamaLogitTolerance: Float = 2e-2

@Suite struct TinyLlamaTests {
    @Test func greedyTokensAndLogitsMatchReference() throws {
        let model = try loadTinyLlama()
        let reference = ReferenceBackend(model: try model.referenceModel())
        let prompt: [Int32] = [1, 17, 250, 3, 99, 42, 7]
        let expected = try Generator(backend: reference).generate(prompt: prompt, maxTokens: 16).tokens
        try reference.reset(sampling: .greedy)
        let expectedLogits = try reference.scoreLogits(prompt)

        try withValidatedDevice { device in
            let backend = try VulkanBackend(model: model, device: device, prefillChunk: 4)
            let generated = try Generator(backend: backend).generate(prompt: prompt, maxTokens: 16).tokens
            #expect(generated == expected)
            // Several decode steps per submission give the same tokens.
            #expect(try backend.generateGreedy(prompt: prompt, count: 16, stepsPerSubmit: 5) == expected)

            try backend.reset(sampling: .greedy)
            let logits = try backend.scoreLogits(prompt)
            let diff = maxAbsDifference(logits, expectedLogits)
            print("tiny-llama logits: max |vulkan - reference| = \(diff)")
            #expect(diff <= tinyLlamaLogitTolerance, "max |vulkan - reference| = \(diff)")
        }
    }

    /// With a temperature the host samples the device's logits with the
    /// reference backend's generator (SplitMix64 from the seed): the first
    /// token is exactly `CPUKernels.sample` of the read-back logits, and a
    /// seed reproduces a whole generation. (Whole sampled sequences are not
    /// compared with the reference backend: a logit difference within the
    /// tolerance can move a draw across a bucket boundary.)
    @Test func hostSamplingUsesTheSeededGenerator() throws {
        let model = try loadTinyLlama()
        let sampling = SamplingParameters(temperature: 0.8, topK: 40, topP: 0.95, seed: 3)
        try withValidatedDevice { device in
            let backend = try VulkanBackend(model: model, device: device)
            try backend.reset(sampling: sampling)
            let first = try backend.step([1, 2, 3])
            var rng = SplitMix64(seed: 3)
            let expected = try CPUKernels.sample(try backend.runtime.readLogits(), temperature: 0.8, topK: 40, topP: 0.95,
                                                 rng: &rng)
            #expect(Int(first) == expected)
            let a = try Generator(backend: backend).generate(prompt: [1, 2, 3], maxTokens: 12, sampling: sampling).tokens
            let b = try Generator(backend: backend).generate(prompt: [1, 2, 3], maxTokens: 12, sampling: sampling).tokens
            #expect(a == b && a.count == 12)
        }
    }

    /// Weights split into 4 KiB row windows (16 for the 256×64 f32
    /// embedding and output matrices, 256-byte rows) give the reference's
    /// tokens.
    @Test func rowWindowsGiveTheSameTokens() throws {
        let model = try loadTinyLlama()
        let reference = ReferenceBackend(model: try model.referenceModel())
        let prompt: [Int32] = [3, 141, 59, 26]
        let expected = try Generator(backend: reference).generate(prompt: prompt, maxTokens: 8).tokens
        try withValidatedDevice { device in
            let backend = try VulkanBackend(model: model, device: device, maxWeightBinding: 4096)
            let embeddingDispatches = backend.runtime.plan.decode.filter {
                if case .dispatch(let d) = $0 { return d.label.hasPrefix("embedding") } else { return false }
            }
            #expect(embeddingDispatches.count == 16)
            #expect(try backend.generateGreedy(prompt: prompt, count: 8) == expected)
        }
    }

    /// The command lists are recorded once: generating 16 tokens records no
    /// more than generating 4.
    @Test func recordingsDoNotGrowWithTokens() throws {
        let model = try loadTinyLlama()
        try withValidatedDevice { device in
            let backend = try VulkanBackend(model: model, device: device)
            let before = backend.counters.commandBufferRecordings
            _ = try Generator(backend: backend).generate(prompt: [1, 2, 3], maxTokens: 4)
            let after4 = backend.counters.commandBufferRecordings
            _ = try Generator(backend: backend).generate(prompt: [1, 2, 3], maxTokens: 16)
            let after16 = backend.counters.commandBufferRecordings
            #expect(before == 2 && after4 == 2 && after16 == 2)
            #expect((backend.counters.dispatchesPerToken ?? 0) > 0)
        }
    }
}
