extension CPUKernels {
    /// Root-mean-square normalization of each row:
    /// `out[r, d] = x[r, d] / sqrt(mean_d(x[r, d]²) + eps) · (weight[d] + weightOffset)`.
    ///
    /// - Parameters:
    ///   - x: `[rows, dim]`. For per-head q/k norms pass `rows = tokens · heads`
    ///     and `dim = headDim`.
    ///   - weight: `[dim]`.
    ///   - out: `[rows, dim]`; may be the same buffer as `x` (each row is read
    ///     completely before it is written).
    ///   - weightOffset: added to every weight. GGUF files converted by
    ///     llama.cpp already store Gemma's `1 + w`, so the default 0 is right
    ///     for them; Hugging Face Gemma checkpoints store `w` and need 1.
    ///
    /// The sum of squares is accumulated in Double so the oracle does not lose
    /// precision on long rows; the result is rounded to Float once per row.
    public static func rmsNorm(
        x: UnsafeBufferPointer<Float>, weight: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>,
        rows: Int, dim: Int, eps: Float, weightOffset: Float = 0
    ) throws {
        try checkCount(x.count, [("rows", rows), ("dim", dim)], kernel: "rms_norm", operand: "x")
        try checkCount(weight.count, [("dim", dim)], kernel: "rms_norm", operand: "weight")
        try checkCount(out.count, [("rows", rows), ("dim", dim)], kernel: "rms_norm", operand: "out")
        guard eps >= 0, eps.isFinite else {
            throw KernelError.invalidArgument(kernel: "rms_norm", message: "eps is \(eps); it must be finite and ≥ 0")
        }
        guard dim > 0 else { return }
        for r in 0..<rows {
            let base = r * dim
            var sumSquares = 0.0
            for d in 0..<dim {
                let v = Double(x[base + d])
                sumSquares += v * v
            }
            let inverseRMS = Float(1.0 / (sumSquares / Double(dim) + Double(eps)).squareRoot())
            for d in 0..<dim {
                out[base + d] = x[base + d] * inverseRMS * (weight[d] + weightOffset)
            }
        }
    }
}
