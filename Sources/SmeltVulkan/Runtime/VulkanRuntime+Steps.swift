import SmeltArtifact

extension VulkanRuntime {
    /// The step's first position (tokens already in the KV cache).
    public var position: Int {
        get throws { Int(try buffers[plan.controlBuffer].read(UInt32.self, count: 1)[0]) }
    }

    /// Starts a new sequence at position 0.
    public func reset() throws {
        try buffers[plan.controlBuffer].write([UInt32](repeating: 0, count: ControlBlock.wordCount))
    }

    /// Sets the position (e.g. to rewind) without touching the cache.
    public func setPosition(_ position: Int) throws {
        try buffers[plan.controlBuffer].write([UInt32(position)], at: ControlBlock.position * 4)
    }

    /// Runs `tokens` through the prefill list chunk by chunk and returns the
    /// token the device sampled after the last one. Chunks before the last
    /// skip the list's tail (output projection and sampler): the host sets
    /// each chunk's position. Only the last chunk samples with the control
    /// block's sampler (with `sample` false it takes the greedy token and
    /// draws no random number, so the generator advances once per sampled
    /// token).
    @discardableResult
    public func prefill(_ tokens: [Int32], sample: Bool = true) throws -> Int32 {
        try checkTokens(tokens, for: "prefill")
        let control = buffers[plan.controlBuffer]
        let start = try position
        let temperature = try control.read(UInt32.self, count: 1, from: ControlBlock.temperature * 4)[0]
        var offset = 0
        while offset < tokens.count {
            let chunk = Array(tokens[offset ..< min(tokens.count, offset + plan.prefillChunk)])
            let last = offset + chunk.count == tokens.count
            try buffers[plan.tokensBuffer].write(chunk)
            try control.write([UInt32(start + offset), UInt32(chunk.count)], at: ControlBlock.position * 4)
            try control.write([last && sample ? temperature : 0], at: ControlBlock.temperature * 4)
            try gateTiles(count: chunk.count)
            try device.submit(last ? prefillLists : [prefillCommands]).wait()
            counters.prefillSubmissions += 1
            offset += chunk.count
        }
        try control.write([temperature], at: ControlBlock.temperature * 4)
        if !sample { try control.write([UInt32(0)], at: ControlBlock.status * 4) }
        return try lastToken()
    }

    /// Sets the prefill tiles' workgroup counts for a chunk of `count`
    /// tokens: none for a tile past them.
    func gateTiles(count: Int) throws {
        counters.skippedTiles = try tileGates.open(forChunkOf: count)
    }

    /// The whole prefill list: its body and, when the plan splits one off,
    /// its tail.
    var prefillLists: [CommandBuffer] { [prefillCommands] + (prefillTailCommands.map { [$0] } ?? []) }

    /// Throws unless `tokens` is non-empty, fits the context from the
    /// current position and holds only vocabulary ids (the embedding kernel
    /// does not check them).
    func checkTokens(_ tokens: [Int32], for step: String) throws {
        guard !tokens.isEmpty else { throw VulkanError.invalidArgument("\(step): no tokens") }
        let start = try position
        guard start + tokens.count <= plan.contextLength else {
            throw VulkanError.invalidArgument("\(step): position \(start) + \(tokens.count) tokens exceed the "
                + "context length \(plan.contextLength)")
        }
        if let index = tokens.firstIndex(where: { $0 < 0 || Int($0) >= plan.vocabularySize }) {
            throw VulkanError.invalidArgument("\(step): token \(index) is id \(tokens[index]), outside the "
                + "vocabulary (0 ..< \(plan.vocabularySize))")
        }
    }

    /// Replays the decode list `steps` times in one submission, each step
    /// feeding the token the previous one sampled; returns those tokens.
    public func decode(steps: Int) throws -> [Int32] {
        guard steps > 0 else { return [] }
        let start = try position
        guard start + steps <= plan.contextLength else {
            throw VulkanError.invalidArgument("decode: position \(start) + \(steps) steps exceed the context length "
                + "\(plan.contextLength)")
        }
        try device.submit(Array(repeating: decodeCommands, count: steps)).wait()
        counters.decodeSubmissions += 1
        let ids = try buffers[plan.outputBuffer].read(Int32.self, count: steps, from: (start + 1) * 4)
        return ids
    }

    /// Sets the sampler words of the control block; the next sampled step
    /// draws from `rngState`. A temperature of 0 is greedy.
    public func setSampler(temperature: Float, topK: Int, topP: Float, rngState: UInt64) throws {
        guard temperature >= 0, temperature.isFinite, topK >= 0, topP > 0, topP <= 1 else {
            throw VulkanError.invalidArgument("sampler: temperature \(temperature) must be finite and >= 0, "
                + "top-k \(topK) >= 0, top-p \(topP) in (0, 1]")
        }
        try buffers[plan.controlBuffer].write([
            temperature.bitPattern, UInt32(min(topK, Int(UInt32.max))), topP.bitPattern,
            UInt32(truncatingIfNeeded: rngState), UInt32(truncatingIfNeeded: rngState >> 32),
        ], at: ControlBlock.temperature * 4)
    }

    /// The sampler's SplitMix64 state (advanced once per sampled token).
    public var rngState: UInt64 {
        get throws {
            let words = try buffers[plan.controlBuffer].read(UInt32.self, count: 2, from: ControlBlock.rngLow * 4)
            return UInt64(words[0]) | UInt64(words[1]) << 32
        }
    }

    /// The sampler's status word (`ControlBlock.status`), cleared by the read.
    public func takeSamplerStatus() throws -> UInt32 {
        let control = buffers[plan.controlBuffer]
        let status = try control.read(UInt32.self, count: 1, from: ControlBlock.status * 4)[0]
        if status != 0 { try control.write([UInt32(0)], at: ControlBlock.status * 4) }
        return status
    }

    /// The token sampled by the last step.
    public func lastToken() throws -> Int32 {
        try buffers[plan.tokensBuffer].read(Int32.self, count: 1)[0]
    }

    /// The logits of the last processed position.
    public func readLogits() throws -> [Float] {
        try buffers[plan.logitsBuffer].read(Float.self, count: plan.vocabularySize)
    }

    /// Records made so far across the runtime's command buffers.
    public var recordingCount: Int {
        decodeCommands.recordingCount + prefillCommands.recordingCount + (prefillTailCommands?.recordingCount ?? 0)
            + (scoreList?.commands.recordingCount ?? 0)
    }
}

extension VulkanRuntime {
    /// The device buffer of plan buffer `index` (for tests and tools that
    /// inspect activations).
    public func buffer(_ index: Int) throws -> Buffer {
        guard buffers.indices.contains(index) else {
            throw VulkanError.invalidArgument("no plan buffer \(index); the plan has \(buffers.count)")
        }
        return buffers[index]
    }

    /// Replays the decode list `times` times in one submission with no host
    /// writes and waits; the control block is whatever the host or the last
    /// replay left.
    public func replayDecode(times: Int = 1) throws {
        try device.submit(Array(repeating: decodeCommands, count: max(1, times))).wait()
        counters.decodeSubmissions += 1
    }

    /// Replays the whole prefill list once as it stands.
    public func replayPrefill() throws {
        try gateTiles(count: Int(try buffers[plan.controlBuffer].read(UInt32.self, count: 1, from: ControlBlock.count * 4)[0]))
        try device.submit(prefillLists).wait()
        counters.prefillSubmissions += 1
    }
}
