import Foundation
import SmeltIR

extension CPUKernels {
    /// Causal grouped-query attention of new queries against a KV cache.
    ///
    /// Shapes:
    /// - `q`, `out`: `[tokens, queryHeads, headDim]`. `out` may be the same
    ///   memory as `q` (each query head is read before its output is written).
    /// - `keys`, `values`: the cache, `[cacheCapacity, kvHeads, headDim]`,
    ///   token-major and indexed by absolute position: row `j` holds the key
    ///   and value of the token at position `j`. Rows `0..<cacheLength` are
    ///   valid (`cacheLength` = past tokens + `tokens`, the new ones already
    ///   written, e.g. with `writeKV`).
    /// - `positions`: `[tokens]`, the absolute position `p_t` of each query;
    ///   each must be in `0..<cacheLength`.
    ///
    /// Query head `h` reads KV head `h / (queryHeads / kvHeads)`.
    ///
    /// Masking — key `j` is visible to the query at position `p` iff
    /// `j ≤ p` and (`window == 0` or `p − j < window`). So with a window the
    /// query sees at most `window` keys, itself included: the rule of
    /// llama.cpp (`p − j ≥ n_swa` is masked) and of Hugging Face Gemma-3
    /// (`kv_idx > q_idx − sliding_window`). `window == 0` means global.
    ///
    /// Scores: `s_j = (q · k_j) · scale`, then, when `softcap > 0`,
    /// `s_j = tanh(s_j / softcap) · softcap` (Gemma-2 style; 0 = off). The
    /// output is `Σ_j softmax(s)_j · v_j` over visible keys. Callers pass
    /// `scale = 1/sqrt(headDim)` or the model's `query_pre_attn_scalar^-0.5`.
    ///
    /// Work is split over (token, query head) pairs across threads; each pair
    /// is computed entirely by one thread, in key order.
    public static func attention(
        q: UnsafeBufferPointer<Float>, keys: UnsafeBufferPointer<Float>, values: UnsafeBufferPointer<Float>,
        positions: UnsafeBufferPointer<Int32>, into out: UnsafeMutableBufferPointer<Float>,
        tokens: Int, queryHeads: Int, kvHeads: Int, headDim: Int,
        cacheCapacity: Int, cacheLength: Int,
        scale: Float, window: Int = 0, softcap: Float = 0
    ) throws {
        let kernel = "attention"
        let qShape = [("tokens", tokens), ("queryHeads", queryHeads), ("headDim", headDim)]
        let cacheShape = [("cacheCapacity", cacheCapacity), ("kvHeads", kvHeads), ("headDim", headDim)]
        try checkCount(q.count, qShape, kernel: kernel, operand: "q")
        try checkCount(keys.count, cacheShape, kernel: kernel, operand: "keys")
        try checkCount(values.count, cacheShape, kernel: kernel, operand: "values")
        try checkCount(positions.count, [("tokens", tokens)], kernel: kernel, operand: "positions")
        try checkCount(out.count, qShape, kernel: kernel, operand: "out")
        guard kvHeads > 0, queryHeads % kvHeads == 0 else {
            throw KernelError.invalidArgument(
                kernel: kernel, message: "queryHeads \(queryHeads) is not a multiple of kvHeads \(kvHeads)")
        }
        guard cacheLength >= 0, cacheLength <= cacheCapacity else {
            throw KernelError.invalidArgument(
                kernel: kernel, message: "cacheLength \(cacheLength) is outside 0...\(cacheCapacity) (cacheCapacity)")
        }
        guard window >= 0 else {
            throw KernelError.invalidArgument(kernel: kernel, message: "window \(window) is negative (0 means global)")
        }
        guard softcap >= 0, softcap.isFinite, scale.isFinite else {
            throw KernelError.invalidArgument(
                kernel: kernel, message: "softcap \(softcap) must be finite and ≥ 0 (0 = off), scale \(scale) finite")
        }
        for t in 0..<tokens where positions[t] < 0 || Int(positions[t]) >= cacheLength {
            throw KernelError.positionOutOfRange(kernel: kernel, index: t, position: Int(positions[t]), limit: cacheLength)
        }
        guard tokens > 0, queryHeads > 0, headDim > 0 else { return }

        let group = queryHeads / kvHeads
        let pairs = tokens * queryHeads
        let flopsPerPair = max(1, 4 * cacheLength * headDim)
        Parallel.forEachChunk(count: pairs, grain: max(1, 500_000 / flopsPerPair)) { range in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: cacheLength)
            let accumulator = UnsafeMutablePointer<Float>.allocate(capacity: headDim)
            defer { scores.deallocate(); accumulator.deallocate() }
            let k = keys.baseAddress!, v = values.baseAddress!
            for pair in range {
                let t = pair / queryHeads, h = pair % queryHeads
                let p = Int(positions[t])
                let first = window > 0 ? max(0, p - window + 1) : 0
                let visible = p - first + 1
                let kvOffset = (h / group) * headDim
                let queryRow = q.baseAddress! + pair * headDim
                for j in first...p {
                    var s = dot(queryRow, k + j * kvHeads * headDim + kvOffset, count: headDim) * scale
                    if softcap > 0 { s = tanh(s / softcap) * softcap }
                    scores[j - first] = s
                }
                if !softmaxRow(UnsafeMutableBufferPointer(start: scores, count: visible)) {
                    // Infinite or NaN scores (from non-finite q or k): make
                    // the output NaN so the bad input shows, not a wrong mix.
                    scores.update(repeating: .nan, count: visible)
                }
                accumulator.initialize(repeating: 0, count: headDim)
                for j in first...p {
                    addScaled(v + j * kvHeads * headDim + kvOffset, times: scores[j - first],
                              to: accumulator, count: headDim)
                }
                (out.baseAddress! + pair * headDim).update(from: accumulator, count: headDim)
            }
        }
    }

    /// Writes new keys or values into a position-indexed KV cache:
    /// `cache[positions[t], :, :] = new[t, :, :]`.
    ///
    /// - `new`: `[tokens, kvHeads, headDim]`; `cache`: `[cacheCapacity, kvHeads, headDim]`.
    /// - Every position must be in `0..<cacheCapacity` (checked before any
    ///   write, so a bad position leaves the cache untouched).
    public static func writeKV(
        _ new: UnsafeBufferPointer<Float>, into cache: UnsafeMutableBufferPointer<Float>,
        positions: UnsafeBufferPointer<Int32>, tokens: Int, kvHeads: Int, headDim: Int, cacheCapacity: Int
    ) throws {
        let kernel = "kv_write"
        try checkCount(new.count, [("tokens", tokens), ("kvHeads", kvHeads), ("headDim", headDim)],
                       kernel: kernel, operand: "new")
        try checkCount(cache.count, [("cacheCapacity", cacheCapacity), ("kvHeads", kvHeads), ("headDim", headDim)],
                       kernel: kernel, operand: "cache")
        try checkCount(positions.count, [("tokens", tokens)], kernel: kernel, operand: "positions")
        for t in 0..<tokens where positions[t] < 0 || Int(positions[t]) >= cacheCapacity {
            throw KernelError.positionOutOfRange(kernel: kernel, index: t, position: Int(positions[t]), limit: cacheCapacity)
        }
        let row = kvHeads * headDim
        for t in 0..<tokens {
            let destination = Int(positions[t]) * row
            for i in 0..<row { cache[destination + i] = new[t * row + i] }
        }
    }
}

/// `y += a · x` over `count` elements, in index order per element.
@inline(__always)
func addScaled(_ x: UnsafePointer<Float>, times a: Float, to y: UnsafeMutablePointer<Float>, count: Int) {
    let av = SIMD8<Float>(repeating: a)
    var i = 0
    while i + 8 <= count {
        let sum = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self) + av * load8(x + i)
        UnsafeMutableRawPointer(y + i).storeBytes(of: sum, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count {
        y[i] += a * x[i]
        i += 1
    }
}

extension CPUKernels {
    /// `values` as a q8_0 KV cache stores and reads them back: each block
    /// of 32 consecutive values (`DType.q8_0.blockSize`) becomes signed bytes `q = round(x · (127 /
    /// amax))` (nearest, ties to even; amax the block's largest magnitude)
    /// times the block's scale `amax · (1 / 127)`, in that order of f32
    /// operations, as the device kernels compute it. The count must be a
    /// multiple of 32.
    public static func roundedToQ8Blocks(_ values: [Float]) -> [Float] {
        let size = DType.q8_0.blockSize
        precondition(values.count % size == 0, "q8_0 blocks hold \(size) values")
        var out = values
        for start in stride(from: 0, to: values.count, by: size) {
            let block = values[start ..< start + size]
            let amax = block.reduce(Float(0)) { max($0, abs($1)) }
            let inverse = amax > 0 ? 127 / amax : 0
            let scale = amax * (1 / 127)
            for i in block.indices {
                let q = min(max((block[i] * inverse).rounded(.toNearestOrEven), -127), 127)
                out[i] = q * scale
            }
        }
        return out
    }
}
