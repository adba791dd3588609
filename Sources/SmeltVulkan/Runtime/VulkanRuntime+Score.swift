import SmeltArtifact

/// The score list with what it alone uses: the [prefillChunk, vocab]
/// logits buffer (64 MiB for Gemma-3), its descriptor sets, tile gates and
/// command buffer. Made on the first `score` call, so generation never
/// pays for it.
final class ScoreList {
    let logits: Buffer
    let pool: DescriptorPool
    let sets: [DescriptorSet]
    let gates: TileGates
    let commands: CommandBuffer

    init(runtime: VulkanRuntime, list: [PlanCommand], logitsBuffer: Int) throws {
        let plan = runtime.plan
        logits = try runtime.allocator.makeBuffer(size: plan.buffers[logitsBuffer].byteSize,
                                                  label: "\(logitsBuffer):\(plan.buffers[logitsBuffer].name)")
        pool = try VulkanRuntime.makePool(for: list, plan: plan, device: runtime.device)
        commands = try CommandBuffer(device: runtime.device, allowsSimultaneousUse: true)
        let logits = logits
        let gates = try TileGates(list, allocator: runtime.allocator, label: "score tile arguments")
        self.gates = gates
        sets = try VulkanRuntime.record(list, pool: pool, pipelines: runtime.pipelines, into: commands,
                                        indirect: gates.indirect) { index in
            index == logitsBuffer ? logits : runtime.buffers[index]
        }
    }
}

extension VulkanRuntime {
    /// Whether the plan has a score list (`score` runs chunks of up to
    /// `prefillChunk` tokens through it; without one, it runs the prefill
    /// list a token at a time).
    public var hasScoreList: Bool { plan.score != nil }

    /// Teacher-forced logits: runs `tokens` from the current position,
    /// writing them into the KV cache like a prefill, and returns the
    /// logits after every one of them, [tokens.count, vocab] row-major. The
    /// position advances by `tokens.count`; nothing is sampled.
    public func score(_ tokens: [Int32]) throws -> [Float] {
        try checkTokens(tokens, for: "score")
        let start = try position
        guard let list = plan.score, let logitsBuffer = plan.scoreLogitsBuffer else {
            var logits: [Float] = []
            logits.reserveCapacity(tokens.count * plan.vocabularySize)
            for token in tokens {
                try prefill([token], sample: false)
                logits += try readLogits()
            }
            return logits
        }
        let scoreList = try recordedScoreList(list, logitsBuffer: logitsBuffer)
        let control = buffers[plan.controlBuffer]
        var logits: [Float] = []
        logits.reserveCapacity(tokens.count * plan.vocabularySize)
        var offset = 0
        while offset < tokens.count {
            let chunk = Array(tokens[offset ..< min(tokens.count, offset + plan.prefillChunk)])
            try buffers[plan.tokensBuffer].write(chunk)
            try control.write([UInt32(start + offset), UInt32(chunk.count)], at: ControlBlock.position * 4)
            counters.skippedTiles = try scoreList.gates.open(forChunkOf: chunk.count)
            try device.submit(scoreList.commands).wait()
            counters.prefillSubmissions += 1
            logits += try scoreList.logits.read(Float.self, count: chunk.count * plan.vocabularySize)
            offset += chunk.count
        }
        try setPosition(start + tokens.count)
        return logits
    }

    /// The score list, allocated and recorded on first use.
    private func recordedScoreList(_ list: [PlanCommand], logitsBuffer: Int) throws -> ScoreList {
        if let scoreList { return scoreList }
        let made = try ScoreList(runtime: self, list: list, logitsBuffer: logitsBuffer)
        scoreList = made
        counters.peakDeviceMemory = allocator.statistics.peakUsedBytes
        return made
    }
}
