import Foundation

/// Which pairs of a head's dimensions rotary embedding rotates together.
public enum RoPEStyle: String, Sendable, CaseIterable {
    /// GPT-NeoX / Hugging Face "rotate_half": pair `i` is `(i, i + rotaryDim/2)`.
    /// Gemma, Qwen and most Hugging Face conversions use it (llama.cpp
    /// `LLAMA_ROPE_TYPE_NEOX`).
    case neox
    /// Original llama / GPT-J: pair `i` is `(2i, 2i + 1)` (llama.cpp
    /// `LLAMA_ROPE_TYPE_NORM`, used for Llama GGUFs whose q/k rows were permuted
    /// by the converter).
    case normal
}

extension CPUKernels {
    /// Rotary position embedding, in place.
    ///
    /// For token `t` at position `p = positions[t]` and pair `i` in
    /// `0..<rotaryDim/2`, with `(a, b)` the pair's two elements (see
    /// `RoPEStyle`):
    /// ```
    /// angle = p · freqScale · theta^(-2i / rotaryDim)
    /// a' = a·cos(angle) − b·sin(angle)
    /// b' = a·sin(angle) + b·cos(angle)
    /// ```
    /// Dimensions `rotaryDim..<headDim` pass through unchanged (partial
    /// rotary). Angles, cosines and sines are computed in Double and rounded
    /// to Float once, so large positions with theta 1e6 stay accurate.
    ///
    /// - Parameters:
    ///   - x: `[tokens, heads, headDim]`, rotated in place.
    ///   - positions: `[tokens]`, absolute positions (≥ 0).
    ///   - theta: the RoPE base (1e4 for Gemma-3 local layers, 1e6 global).
    ///   - rotaryDim: how many leading dimensions rotate; `nil` means `headDim`.
    ///     Must be even and ≤ `headDim`.
    ///   - freqScale: linear position scaling (llama.cpp `freq_scale`,
    ///     `1 / rope_scaling.factor`); 1 means none.
    public static func rope(
        _ x: UnsafeMutableBufferPointer<Float>, positions: UnsafeBufferPointer<Int32>,
        tokens: Int, heads: Int, headDim: Int,
        theta: Float, rotaryDim: Int? = nil, style: RoPEStyle, freqScale: Float = 1
    ) throws {
        let kernel = "rope"
        try checkCount(x.count, [("tokens", tokens), ("heads", heads), ("headDim", headDim)], kernel: kernel, operand: "x")
        try checkCount(positions.count, [("tokens", tokens)], kernel: kernel, operand: "positions")
        let rotary = rotaryDim ?? headDim
        guard rotary >= 0, rotary <= headDim, rotary % 2 == 0 else {
            throw KernelError.invalidArgument(
                kernel: kernel, message: "rotaryDim \(rotary) must be even and within 0...\(headDim) (headDim)")
        }
        guard theta > 0, theta.isFinite, freqScale.isFinite else {
            throw KernelError.invalidArgument(
                kernel: kernel, message: "theta \(theta) must be finite and > 0, freqScale \(freqScale) finite")
        }
        let half = rotary / 2
        guard half > 0 else { return }
        // Inverse frequencies depend only on the pair index.
        let inverseFrequency = (0..<half).map { i in
            pow(Double(theta), -2.0 * Double(i) / Double(rotary)) * Double(freqScale)
        }
        var cosines = [Float](repeating: 0, count: half)
        var sines = [Float](repeating: 0, count: half)
        for t in 0..<tokens {
            let position = positions[t]
            guard position >= 0 else {
                throw KernelError.positionOutOfRange(kernel: kernel, index: t, position: Int(position), limit: Int(Int32.max))
            }
            for i in 0..<half {
                let angle = Double(position) * inverseFrequency[i]
                cosines[i] = Float(cos(angle))
                sines[i] = Float(sin(angle))
            }
            for h in 0..<heads {
                let base = (t * heads + h) * headDim
                for i in 0..<half {
                    let (ia, ib) = style == .neox ? (base + i, base + i + half) : (base + 2 * i, base + 2 * i + 1)
                    let a = x[ia], b = x[ib]
                    x[ia] = a * cosines[i] - b * sines[i]
                    x[ib] = a * sines[i] + b * cosines[i]
                }
            }
        }
    }
}
