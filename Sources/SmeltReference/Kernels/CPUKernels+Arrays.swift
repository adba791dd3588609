/// `[Float]` forms of the kernels for tests and small callers: same
/// semantics, shapes and errors as the pointer forms they wrap, with the
/// output returned as a new array (or updated `inout`).
extension CPUKernels {
    public static func matmul(
        _ x: [Float], _ w: [Float], tokens: Int, inFeatures: Int, outFeatures: Int
    ) throws -> [Float] {
        try output([("tokens", tokens), ("outFeatures", outFeatures)], kernel: "matmul") { y in
            try x.withUnsafeBufferPointer { x in
                try w.withUnsafeBufferPointer { w in
                    try matmul(x: x, w: w, into: y, tokens: tokens, inFeatures: inFeatures, outFeatures: outFeatures)
                }
            }
        }
    }

    public static func rmsNorm(
        _ x: [Float], weight: [Float], rows: Int, dim: Int, eps: Float, weightOffset: Float = 0
    ) throws -> [Float] {
        try output([("rows", rows), ("dim", dim)], kernel: "rms_norm") { out in
            try x.withUnsafeBufferPointer { x in
                try weight.withUnsafeBufferPointer { weight in
                    try rmsNorm(x: x, weight: weight, into: out, rows: rows, dim: dim, eps: eps, weightOffset: weightOffset)
                }
            }
        }
    }

    public static func rope(
        _ x: inout [Float], positions: [Int32], tokens: Int, heads: Int, headDim: Int,
        theta: Float, rotaryDim: Int? = nil, style: RoPEStyle, freqScale: Float = 1
    ) throws {
        try x.withUnsafeMutableBufferPointer { x in
            try positions.withUnsafeBufferPointer { positions in
                try rope(x, positions: positions, tokens: tokens, heads: heads, headDim: headDim,
                         theta: theta, rotaryDim: rotaryDim, style: style, freqScale: freqScale)
            }
        }
    }

    /// Softmax of one row.
    public static func softmax(_ row: [Float]) throws -> [Float] {
        var result = row
        try result.withUnsafeMutableBufferPointer { try softmax($0, rows: 1, cols: row.count) }
        return result
    }

    public static func attention(
        q: [Float], keys: [Float], values: [Float], positions: [Int32],
        tokens: Int, queryHeads: Int, kvHeads: Int, headDim: Int, cacheCapacity: Int, cacheLength: Int,
        scale: Float, window: Int = 0, softcap: Float = 0
    ) throws -> [Float] {
        try output([("tokens", tokens), ("queryHeads", queryHeads), ("headDim", headDim)], kernel: "attention") { out in
            try q.withUnsafeBufferPointer { q in
                try keys.withUnsafeBufferPointer { keys in
                    try values.withUnsafeBufferPointer { values in
                        try positions.withUnsafeBufferPointer { positions in
                            try attention(
                                q: q, keys: keys, values: values, positions: positions, into: out,
                                tokens: tokens, queryHeads: queryHeads, kvHeads: kvHeads, headDim: headDim,
                                cacheCapacity: cacheCapacity, cacheLength: cacheLength,
                                scale: scale, window: window, softcap: softcap)
                        }
                    }
                }
            }
        }
    }

    public static func writeKV(
        _ new: [Float], into cache: inout [Float], positions: [Int32],
        tokens: Int, kvHeads: Int, headDim: Int, cacheCapacity: Int
    ) throws {
        try new.withUnsafeBufferPointer { new in
            try cache.withUnsafeMutableBufferPointer { cache in
                try positions.withUnsafeBufferPointer { positions in
                    try writeKV(new, into: cache, positions: positions, tokens: tokens, kvHeads: kvHeads,
                                headDim: headDim, cacheCapacity: cacheCapacity)
                }
            }
        }
    }

    public static func geluTanh(_ x: [Float]) -> [Float] { x.map { geluTanh($0) } }
    public static func silu(_ x: [Float]) -> [Float] { x.map { silu($0) } }

    public static func gatedGeluTanh(gate: [Float], up: [Float]) throws -> [Float] {
        try binary(gate, up, kernel: "gated_gelu_tanh") { try gatedGeluTanh(gate: $0, up: $1, into: $2) }
    }

    public static func gatedSilu(gate: [Float], up: [Float]) throws -> [Float] {
        try binary(gate, up, kernel: "gated_silu") { try gatedSilu(gate: $0, up: $1, into: $2) }
    }

    public static func add(_ a: [Float], _ b: [Float]) throws -> [Float] {
        try binary(a, b, kernel: "add") { try add($0, $1, into: $2) }
    }

    public static func mul(_ a: [Float], _ b: [Float]) throws -> [Float] {
        try binary(a, b, kernel: "mul") { try mul($0, $1, into: $2) }
    }

    public static func scale(_ x: [Float], by factor: Float) -> [Float] { x.map { $0 * factor } }

    public static func embeddingLookup(table: [Float], ids: [Int32], vocabSize: Int, dim: Int) throws -> [Float] {
        try output([("tokens", ids.count), ("dim", dim)], kernel: "embedding") { out in
            try table.withUnsafeBufferPointer { table in
                try ids.withUnsafeBufferPointer { ids in
                    try embeddingLookup(table: table, ids: ids, into: out, vocabSize: vocabSize, dim: dim)
                }
            }
        }
    }

    public static func argmax(_ logits: [Float]) throws -> Int {
        try logits.withUnsafeBufferPointer { try argmax($0) }
    }

    public static func sample<G: RandomNumberGenerator>(
        _ logits: [Float], temperature: Float, topK: Int = 0, topP: Float = 1, rng: inout G
    ) throws -> Int {
        try logits.withUnsafeBufferPointer {
            try sample($0, temperature: temperature, topK: topK, topP: topP, rng: &rng)
        }
    }

    /// A zeroed array of the shape's size (validated first, so a negative
    /// size throws instead of trapping), filled by `body`.
    private static func output(
        _ dims: [(String, Int)], kernel: String, _ body: (UnsafeMutableBufferPointer<Float>) throws -> Void
    ) throws -> [Float] {
        var result = [Float](repeating: 0, count: try elementCount(dims, kernel: kernel, operand: "output"))
        try result.withUnsafeMutableBufferPointer { try body($0) }
        return result
    }

    private static func binary(
        _ a: [Float], _ b: [Float], kernel: String,
        _ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) throws -> Void
    ) throws -> [Float] {
        try checkSameCount(a.count, b.count, kernel: kernel, operand: "second operand")
        return try output([("n", a.count)], kernel: kernel) { out in
            try a.withUnsafeBufferPointer { a in try b.withUnsafeBufferPointer { b in try body(a, b, out) } }
        }
    }
}
