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
    /// token the device sampled after the last one.
    @discardableResult
    public func prefill(_ tokens: [Int32]) throws -> Int32 {
        guard !tokens.isEmpty else { throw VulkanError.invalidArgument("prefill: no tokens") }
        let start = try position
        guard start + tokens.count <= plan.contextLength else {
            throw VulkanError.invalidArgument("prefill: position \(start) + \(tokens.count) tokens exceed the "
                + "context length \(plan.contextLength)")
        }
        var offset = 0
        while offset < tokens.count {
            let chunk = Array(tokens[offset ..< min(tokens.count, offset + plan.prefillChunk)])
            try buffers[plan.tokensBuffer].write(chunk)
            try buffers[plan.controlBuffer].write([UInt32(chunk.count)], at: ControlBlock.count * 4)
            try device.submit(prefillCommands).wait()
            counters.prefillSubmissions += 1
            offset += chunk.count
        }
        return try lastToken()
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

    /// The token sampled by the last step.
    public func lastToken() throws -> Int32 {
        try buffers[plan.tokensBuffer].read(Int32.self, count: 1)[0]
    }

    /// The logits of the last processed position.
    public func readLogits() throws -> [Float] {
        try buffers[plan.logitsBuffer].read(Float.self, count: plan.vocabularySize)
    }

    /// Records made so far across the runtime's command buffers.
    public var recordingCount: Int { decodeCommands.recordingCount + prefillCommands.recordingCount }
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

    /// Replays the prefill list once as it stands.
    public func replayPrefill() throws {
        try device.submit(prefillCommands).wait()
        counters.prefillSubmissions += 1
    }
}
