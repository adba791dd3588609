/// Matrix multiplication against a weight stored as rows of outputs.
///
/// Every output is one fp32 dot product whose summation order is fixed:
/// eight lanes (`SIMD8<Float>`) accumulate `k ≡ lane (mod 8)` in increasing
/// `k`, the lanes are summed, then the scalar tail `k ≥ 8·⌊K/8⌋` is added in
/// order. All micro-kernels below share that order, so `y[t, n]` does not
/// depend on how tokens and rows were tiled or split over threads: a prefill
/// row is bit-identical to the same token's decode-step row.
extension CPUKernels {
    /// `y = x · wᵀ`: `y[t, n] = Σ_k x[t, k] · w[n, k]`.
    ///
    /// - Parameters:
    ///   - x: activations `[tokens, inFeatures]`.
    ///   - w: weight `[outFeatures, inFeatures]`, one row per output (the
    ///     PyTorch / GGUF linear layout), already dequantized to f32.
    ///   - y: output `[tokens, outFeatures]`; must not alias `x` or `w`.
    ///
    /// Rows of `w` are split over threads in blocks small enough to stay in
    /// cache while every token tile of `x` is multiplied against them, so each
    /// weight row is read from memory once per call (the decode matvec is
    /// bandwidth-bound; the prefill matmul compute-bound).
    public static func matmul(
        x: UnsafeBufferPointer<Float>, w: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>,
        tokens: Int, inFeatures: Int, outFeatures: Int
    ) throws {
        let k = "K (inFeatures)"
        try checkCount(x.count, [("T (tokens)", tokens), (k, inFeatures)], kernel: "matmul", operand: "x")
        try checkCount(w.count, [("N (outFeatures)", outFeatures), (k, inFeatures)], kernel: "matmul", operand: "w")
        try checkCount(y.count, [("T (tokens)", tokens), ("N (outFeatures)", outFeatures)], kernel: "matmul", operand: "y")
        guard tokens > 0, outFeatures > 0 else { return }
        guard inFeatures > 0 else {
            y.initialize(repeating: 0)  // an empty sum
            return
        }
        let xp = x.baseAddress!, wp = w.baseAddress!, yp = y.baseAddress!
        // A block of weight rows sized to stay in a 256 KiB cache while all
        // token tiles pass over it; a multiple of the 4-row micro-kernel.
        let blockRows = max(4, (256 * 1024 / (inFeatures * 4)) / 4 * 4)
        let blocks = (outFeatures + blockRows - 1) / blockRows
        // Hand out at least ~1 MFLOP per chunk so tiny problems stay serial.
        let flopsPerBlock = 2 * tokens * inFeatures * blockRows
        Parallel.forEachChunk(count: blocks, grain: max(1, 1_000_000 / flopsPerBlock)) { range in
            let n0 = range.lowerBound * blockRows
            let n1 = min(outFeatures, range.upperBound * blockRows)
            multiplyBlock(xp, wp, yp, tokens: tokens, k: inFeatures, n: outFeatures, rows: n0..<n1)
        }
    }

    /// All tokens against weight rows `rows`.
    ///
    /// Loop nest: token blocks (whose activations stay in L2) › sub-blocks of
    /// a few weight rows (which stay in L1 while every token of the block
    /// passes over them) › 4-token × 2-row register tiles.
    private static func multiplyBlock(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        tokens: Int, k: Int, n: Int, rows: Range<Int>
    ) {
        let blockTokens = max(4, (128 * 1024 / (k * 4)) / 4 * 4)
        let subRows = max(4, (16 * 1024 / (k * 4)) / 4 * 4)
        var t0 = 0
        while t0 < tokens {
            let t1 = min(tokens, t0 + blockTokens)
            var r0 = rows.lowerBound
            while r0 < rows.upperBound {
                let r1 = min(rows.upperBound, r0 + subRows)
                multiplyTile(x, w, y, k: k, n: n, tokens: t0..<t1, rows: r0..<r1)
                r0 = r1
            }
            t0 = t1
        }
    }

    /// Tokens `tokens` against weight rows `rows`, register tile by tile.
    @inline(__always)
    private static func multiplyTile(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        k: Int, n: Int, tokens: Range<Int>, rows: Range<Int>
    ) {
        var t = tokens.lowerBound
        while t + 4 <= tokens.upperBound {
            var r = rows.lowerBound
            while r + 2 <= rows.upperBound {
                tile4x2(x + t * k, w + r * k, y + t * n + r, k: k, n: n)
                r += 2
            }
            if r < rows.upperBound {
                for tt in t..<(t + 4) { y[tt * n + r] = dot(x + tt * k, w + r * k, count: k) }
            }
            t += 4
        }
        while t < tokens.upperBound {
            var r = rows.lowerBound
            while r + 4 <= rows.upperBound {
                tile1x4(x + t * k, w + r * k, y + t * n + r, k: k)
                r += 4
            }
            while r < rows.upperBound {
                y[t * n + r] = dot(x + t * k, w + r * k, count: k)
                r += 1
            }
            t += 1
        }
    }
}

@inline(__always)
func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// One fp32 dot product in the fixed order described at the top of this file.
@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count k: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= k {
        acc += load8(a + i) * load8(b + i)
        i += 8
    }
    var s = acc.sum()
    while i < k {
        s += a[i] * b[i]
        i += 1
    }
    return s
}

/// One token against four consecutive weight rows (the decode matvec): the
/// token's values are loaded once for four rows.
@inline(__always)
private func tile1x4(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, k: Int) {
    let w1 = w + k, w2 = w + 2 * k, w3 = w + 3 * k
    var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
    var i = 0
    while i + 8 <= k {
        let xv = load8(x + i)
        a0 += xv * load8(w + i)
        a1 += xv * load8(w1 + i)
        a2 += xv * load8(w2 + i)
        a3 += xv * load8(w3 + i)
        i += 8
    }
    var s0 = a0.sum(), s1 = a1.sum(), s2 = a2.sum(), s3 = a3.sum()
    while i < k {
        let xs = x[i]
        s0 += xs * w[i]
        s1 += xs * w1[i]
        s2 += xs * w2[i]
        s3 += xs * w3[i]
        i += 1
    }
    y[0] = s0; y[1] = s1; y[2] = s2; y[3] = s3
}

/// Four tokens against two weight rows: each loaded vector is used two or
/// four times, which is what makes the prefill matmul compute-bound.
@inline(__always)
private func tile4x2(
    _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, k: Int, n: Int
) {
    let x1 = x + k, x2 = x + 2 * k, x3 = x + 3 * k, w1 = w + k
    var a00 = SIMD8<Float>(), a01 = SIMD8<Float>()
    var a10 = SIMD8<Float>(), a11 = SIMD8<Float>()
    var a20 = SIMD8<Float>(), a21 = SIMD8<Float>()
    var a30 = SIMD8<Float>(), a31 = SIMD8<Float>()
    var i = 0
    while i + 8 <= k {
        let w0v = load8(w + i), w1v = load8(w1 + i)
        let x0v = load8(x + i)
        a00 += x0v * w0v; a01 += x0v * w1v
        let x1v = load8(x1 + i)
        a10 += x1v * w0v; a11 += x1v * w1v
        let x2v = load8(x2 + i)
        a20 += x2v * w0v; a21 += x2v * w1v
        let x3v = load8(x3 + i)
        a30 += x3v * w0v; a31 += x3v * w1v
        i += 8
    }
    var s = (a00.sum(), a01.sum(), a10.sum(), a11.sum(), a20.sum(), a21.sum(), a30.sum(), a31.sum())
    while i < k {
        let w0s = w[i], w1s = w1[i]
        s.0 += x[i] * w0s; s.1 += x[i] * w1s
        s.2 += x1[i] * w0s; s.3 += x1[i] * w1s
        s.4 += x2[i] * w0s; s.5 += x2[i] * w1s
        s.6 += x3[i] * w0s; s.7 += x3[i] * w1s
        i += 1
    }
    y[0] = s.0; y[1] = s.1
    y[n] = s.2; y[n + 1] = s.3
    y[2 * n] = s.4; y[2 * n + 1] = s.5
    y[3 * n] = s.6; y[3 * n + 1] = s.7
}
