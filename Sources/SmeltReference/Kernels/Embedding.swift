extension CPUKernels {
    /// Gathers embedding rows: `out[t, :] = table[ids[t], :]`.
    ///
    /// - `table`: `[vocabSize, dim]` (already dequantized to f32);
    ///   `ids`: `[tokens]`; `out`: `[tokens, dim]`.
    /// - Every id is checked before anything is written; an id outside
    ///   `0..<vocabSize` throws `KernelError.tokenOutOfRange` naming the id and
    ///   its index, leaving `out` untouched.
    public static func embeddingLookup(
        table: UnsafeBufferPointer<Float>, ids: UnsafeBufferPointer<Int32>, into out: UnsafeMutableBufferPointer<Float>,
        vocabSize: Int, dim: Int
    ) throws {
        let kernel = "embedding"
        try checkCount(table.count, [("vocabSize", vocabSize), ("dim", dim)], kernel: kernel, operand: "table")
        try checkCount(out.count, [("tokens", ids.count), ("dim", dim)], kernel: kernel, operand: "out")
        for (index, id) in ids.enumerated() where id < 0 || Int(id) >= vocabSize {
            throw KernelError.tokenOutOfRange(id: Int(id), index: index, vocabSize: vocabSize)
        }
        for (t, id) in ids.enumerated() {
            let source = Int(id) * dim
            for d in 0..<dim { out[t * dim + d] = table[source + d] }
        }
    }
}
