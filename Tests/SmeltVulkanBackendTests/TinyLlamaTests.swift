import Testing
import SmeltCodegen
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
        let prompt = tinyLlamaPrompt
        let (reference, expected) = try tinyLlamaReference(model, count: 16)
        let expectedLogits = try reference.scoreLogits(prompt)

        try withValidatedDevice { device in
            let backend = try VulkanBackend(model: model, device: device, prefillChunk: 4)
            let generated = try Generator(backend: backend).generate(prompt: prompt, maxTokens: 16).tokens
            #expect(generated == expected)
            // Several decode steps per submission give the same tokens.
            #expect(try backend.generateGreedy(prompt: prompt, count: 16, stepsPerSubmit: 5) == expected)
            let sampling = SamplingParameters(temperature: 1.2, topK: 50, topP: 0.95, seed: 8)
            let sampled = try Generator(backend: backend).generate(prompt: prompt, maxTokens: 16, sampling: sampling)
            #expect(try backend.generate(prompt: prompt, count: 16, sampling: sampling, stepsPerSubmit: 5)
                    == sampled.tokens)

            try backend.reset(sampling: .greedy)
            let logits = try backend.scoreLogits(prompt)
            let diff = maxAbsDifference(logits, expectedLogits)
            print("tiny-llama logits: max |vulkan - reference| = \(diff)")
            #expect(diff <= tinyLlamaLogitTolerance, "max |vulkan - reference| = \(diff)")
        }
    }

    /// The score list (chunks of up to the prefill size, every row's
    /// logits) and a plan without one (a prefill replay per token) give the
    /// same logits and leave the same state behind.
    @Test func scoreListMatchesTokenByTokenScoring() throws {
        let model = try loadTinyLlama()
        let prompt: [Int32] = [1, 17, 250, 3, 99, 42, 7, 11, 200]
        try withValidatedDevice { device in
            func backend(storageRange: Int) throws -> VulkanBackend {
                let lowered = try Lowering.lower(graph: model.graph, store: model.store, options: LoweringOptions(
                    modelName: model.config.name, contextLength: model.config.contextLength, prefillChunk: 4,
                    maxStorageBufferRange: storageRange))
                return try VulkanBackend(plan: lowered.plan, weights: lowered.weights, device: device)
            }
            let listed = try backend(storageRange: 128 << 20)
            let fallback = try backend(storageRange: 16)
            #expect(listed.runtime.hasScoreList)
            #expect(!fallback.runtime.hasScoreList)
            try listed.reset(sampling: .greedy)
            try fallback.reset(sampling: .greedy)
            let head = try listed.scoreLogits(Array(prompt.prefix(2)))
            let scored = head + (try listed.scoreLogits(Array(prompt.dropFirst(2))))
            let expected = try fallback.scoreLogits(prompt)
            #expect(scored.count == prompt.count * listed.vocabularySize)
            let diff = maxAbsDifference(scored, expected)
            #expect(diff <= 1e-5, "max |score list - token by token| = \(diff)")
            #expect(try listed.runtime.position == prompt.count)
            #expect(try listed.step([5]) == (try fallback.step([5])))
            #expect(throws: VulkanError.self) { try listed.runtime.score([3, 256]) }
            #expect(throws: VulkanError.self) { try listed.runtime.prefill([-1]) }
        }
    }

    /// Decode attention split over the keys (4 workgroups per head, merged
    /// by the last) gives the reference interpreter's tokens and logits.
    @Test func splitDecodeAttentionMatchesReference() throws {
        let model = try loadTinyLlama()
        let prompt = tinyLlamaPrompt
        let (reference, expected) = try tinyLlamaReference(model, count: 24)
        _ = try reference.step(prompt)
        let expectedLast = try reference.scoreLogits(Array(expected.prefix(23)))
        try withValidatedDevice { device in
            let lowered = try Lowering.lower(graph: model.graph, store: model.store, options: LoweringOptions(
                modelName: model.config.name, contextLength: model.config.contextLength, prefillChunk: 4,
                attentionSplits: 4))
            #expect(lowered.plan.decode.contains { if case .dispatch(let d) = $0 { d.groups[1] == 4 } else { false } })
            let backend = try VulkanBackend(plan: lowered.plan, weights: lowered.weights, device: device)
            let generated = try backend.generateGreedy(prompt: prompt, count: 24, stepsPerSubmit: 5)
            #expect(generated == expected)
            let diff = maxAbsDifference(try backend.runtime.readLogits(),
                                        Array(expectedLast[(22 * backend.vocabularySize)...]))
            #expect(diff <= tinyLlamaLogitTolerance, "last decode step: max |split - reference| = \(diff)")
        }
    }

    /// Sampling runs on the device through the recorded lists: each token
    /// of a sampled generation is what `CPUKernels.sample` picks from the
    /// device's own logits with the host generator (exactly when the draw is
    /// decisive, see `SamplingOracle`), and the device's generator state
    /// follows the host's draw for draw.
    @Test func deviceSamplingFollowsTheHostSampler() throws {
        let model = try loadTinyLlama()
        let sampling = SamplingParameters(temperature: 0.8, topK: 40, topP: 0.95, seed: 3)
        try withValidatedDevice { device in
            let backend = try VulkanBackend(model: model, device: device, prefillChunk: 4)
            try backend.reset(sampling: sampling)
            var host = SplitMix64(seed: sampling.seed)
            var input: [Int32] = [1, 2, 3, 4, 5, 6]  // two prefill chunks: only the last one draws
            var decisive = 0
            for step in 0 ..< 12 {
                let token = try backend.step(input)
                let logits = try backend.runtime.readLogits()
                let u = SamplingOracle.nextUniform(host)
                let expected = try CPUKernels.sample(logits, temperature: 0.8, topK: 40, topP: 0.95, rng: &host)
                let delta = SamplingOracle.deviceDelta(
                    candidates: 40, maxArgument: SamplingOracle.maxArgument(logits, temperature: 0.8))
                let picks = SamplingOracle(logits).possiblePicks(temperature: 0.8, topK: 40, topP: 0.95, u: u,
                                                                 delta: delta)
                #expect(picks.contains(Int(token)), "step \(step): device \(token), host \(expected)")
                if picks.count == 1 {
                    decisive += 1
                    #expect(Int(token) == expected, "step \(step)")
                }
                #expect(try backend.runtime.rngState == host.state, "step \(step)")
                input = [token]
            }
            #expect(decisive >= 6, "\(decisive) of 12 draws decisive")
        }
    }

    /// A sampled generation gives the reference backend's tokens with the
    /// same seed. Where they differ, the difference must be one the logits'
    /// difference at that step can explain (the draw lies within its effect
    /// on the running mass of a boundary): then the sequences part and the
    /// comparison ends there.
    @Test func sampledTokensMatchReference() throws {
        let model = try loadTinyLlama()
        let referenceModel = try model.referenceModel()
        let session = referenceModel.makeSession()
        let sampling = SamplingParameters(temperature: 0.9, topK: 0, topP: 0.9, seed: 11)
        var host = SplitMix64(seed: sampling.seed)
        try withValidatedDevice { device in
            let backend = try VulkanBackend(model: model, device: device)
            try backend.reset(sampling: sampling)
            var input: [Int32] = [1, 17, 250, 3, 99]
            var matched = 0
            for step in 0 ..< 16 {
                let referenceLogits = try session.step(input, rows: .last)
                let u = SamplingOracle.nextUniform(host)
                let expected = try CPUKernels.sample(referenceLogits, temperature: 0.9, topP: 0.9, rng: &host)
                let token = try backend.step(input)
                if Int(token) == expected {
                    matched += 1
                    input = [token]
                    continue
                }
                let logits = try backend.runtime.readLogits()
                let epsilon = Double(maxAbsDifference(logits, referenceLogits))
                let delta = SamplingOracle.deviceDelta(
                    candidates: logits.count, maxArgument: SamplingOracle.maxArgument(logits, temperature: 0.9))
                    + 4 * epsilon / 0.9
                let picks = SamplingOracle(referenceLogits).possiblePicks(temperature: 0.9, topK: 0, topP: 0.9, u: u,
                                                                          delta: delta)
                #expect(picks.contains(Int(token)), "step \(step): device \(token), reference \(expected)")
                break
            }
            print("tiny-llama sampled: \(matched) of 16 tokens equal to the reference")
            #expect(matched >= 1)
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

    /// A chunk shorter than the prefill chunk runs only the matmul tiles
    /// its tokens need (the rest are dispatched with no workgroups), and
    /// its tokens are the reference's either way: a 16-token chunk in tiles
    /// of 4 (tiny-llama's rows fit the staged tiles), prompts of 3 and 13
    /// tokens, then 16 and 20 (a full chunk and one of 4 after it).
    @Test func shortChunksSkipTheirUnusedTiles() throws {
        let model = try loadTinyLlama()
        let reference = ReferenceBackend(model: try model.referenceModel())
        try withValidatedDevice { device in
            let backend = try VulkanBackend(model: model, device: device, prefillChunk: 16)
            let tiled = backend.runtime.plan.prefill.compactMap { if case .dispatch(let d) = $0 { d.firstToken } else { nil } }
            // Tiles 1, 2, 3 (first tokens 4, 8, 12) of each matmul.
            #expect(!tiled.isEmpty && Set(tiled) == [4, 8, 12])
            let perTile = tiled.count / 3
            for (length, skipped) in [(3, 3), (13, 0), (16, 0), (20, 3)] {
                let prompt = (0 ..< length).map { Int32(($0 * 37 + 11) % 256) }
                let expected = try Generator(backend: reference).generate(prompt: prompt, maxTokens: 4).tokens
                #expect(try Generator(backend: backend).generate(prompt: prompt, maxTokens: 4).tokens == expected,
                        "\(length)-token prompt")
                #expect(backend.runtime.counters.skippedTiles == skipped * perTile, "\(length)-token prompt")
                // Scoring runs its own list with the same gates.
                try backend.reset(sampling: .greedy)
                try reference.reset(sampling: .greedy)
                let diff = maxAbsDifference(try backend.scoreLogits(prompt), try reference.scoreLogits(prompt))
                #expect(diff <= tinyLlamaLogitTolerance, "\(length)-token score: max |vulkan - reference| = \(diff)")
                #expect((backend.runtime.counters.skippedTiles > 0) == (skipped > 0), "\(length)-token score")
                try backend.reset(sampling: .greedy)
                try reference.reset(sampling: .greedy)
            }
        }
    }

    /// The command lists are recorded once (decode, the prefill body and the
    /// prefill tail: three): generating 16 tokens records no more than
    /// generating 4.
    @Test func recordingsDoNotGrowWithTokens() throws {
        let model = try loadTinyLlama()
        try withValidatedDevice { device in
            let backend = try VulkanBackend(model: model, device: device)
            let before = backend.counters.commandBufferRecordings
            _ = try Generator(backend: backend).generate(prompt: [1, 2, 3], maxTokens: 4)
            let after4 = backend.counters.commandBufferRecordings
            _ = try Generator(backend: backend).generate(prompt: [1, 2, 3], maxTokens: 16)
            let after16 = backend.counters.commandBufferRecordings
            #expect(before == 3 && after4 == 3 && after16 == 3)
            let sampling = SamplingParameters(temperature: 1, topK: 20, topP: 0.9, seed: 9)
            _ = try Generator(backend: backend).generate(prompt: [1, 2, 3], maxTokens: 4, sampling: sampling)
            let sampled4 = backend.counters.commandBufferRecordings
            _ = try Generator(backend: backend).generate(prompt: [1, 2, 3], maxTokens: 16, sampling: sampling)
            #expect(sampled4 == 3 && backend.counters.commandBufferRecordings == 3)
            #expect((backend.counters.dispatchesPerToken ?? 0) > 0)
        }
    }
}
