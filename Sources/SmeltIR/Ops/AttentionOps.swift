/// `%q2 = rope %q, %positions {theta = 1e4, neox = true}` — rotary position
/// embedding on [T, heads, head_dim]. `neox` rotates pairs (i, i + d/2);
/// otherwise adjacent pairs (2i, 2i + 1). `dims` rotates only the first dims.
struct RoPEOp: OpDefinition {
    let name = "rope"
    let summary = "rotary position embedding on [T, heads, head_dim]"
    let operandNames = ["x", "positions"]
    let attributes: [AttributeSpec] = [
        .required("theta", .float), .optional("neox", .bool, default: .bool(false)), .optional("dims", .int),
    ]

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        try ctx.requireRank(0, 3)
        try ctx.requireDType(1, .i32)
        try ctx.requireEqual(ctx.operand(1).dims.first, ctx.operand(0).dims[0], "positions length vs tokens")
        if let headDim = ctx.operand(0).dims[2].fixedValue, let dims = ctx.attributes["dims"]?.intValue {
            guard dims > 0, dims <= headDim, dims % 2 == 0 else {
                throw ctx.error("'dims' = \(dims) must be even and at most head_dim \(headDim)")
            }
        }
        return [ctx.operand(0)]
    }
}

/// `%kc, %vc = kv_write %k, %v, %positions {layer = 3}` — stores this step's
/// keys and values at their positions in the layer's cache and yields the
/// whole cache, [S, kv_heads, head_dim], S being every cached position.
/// The KV-layout pass records its choice in `dtype` and `layout`.
struct KVWriteOp: OpDefinition {
    let name = "kv_write"
    let summary = "appends keys/values to a layer's cache; yields the cache [S, kv_heads, head_dim]"
    let operandNames = ["k", "v", "positions"]
    let attributes: [AttributeSpec] = [
        .required("layer", .int), .optional("dtype", .choice(["f32", "f16", "q8_0"])),
        .optional("layout", .choice(["token_major", "head_major"])),
    ]

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        try ctx.requireRank(0, 3)
        try ctx.requireRank(1, 3)
        try ctx.requireDType(2, .i32)
        let k = ctx.operand(0), v = ctx.operand(1)
        try ctx.requireEqual(k.dims[0], v.dims[0], "tokens of k vs v")
        try ctx.requireEqual(k.dims[1], v.dims[1], "heads of k vs v")
        try ctx.requireEqual(ctx.operand(2).dims.first, k.dims[0], "positions length vs tokens")
        return [TensorType(.f32, [.cached, k.dims[1], k.dims[2]]), TensorType(.f32, [.cached, v.dims[1], v.dims[2]])]
    }
}

/// `%o = attention %q, %kc, %vc, %positions {scale = 0.0625, window = 512}` —
/// causal grouped-query attention of this step's queries over the cache.
/// A query at position p sees cached position j when j <= p and, with a
/// window w > 0, p - j < w. `softcap` > 0 applies cap * tanh(s / cap).
struct AttentionOp: OpDefinition {
    let name = "attention"
    let summary = "causal GQA attention over the KV cache (sliding window, soft-cap)"
    let operandNames = ["q", "k_cache", "v_cache", "positions"]
    let attributes: [AttributeSpec] = [
        .required("scale", .float), .optional("window", .int, default: .int(0)),
        .optional("softcap", .float, default: .float(0)),
    ]

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        for i in 0..<3 { try ctx.requireRank(i, 3) }
        try ctx.requireDType(3, .i32)
        let q = ctx.operand(0), k = ctx.operand(1), v = ctx.operand(2)
        try ctx.requireEqual(q.dims[2], k.dims[2], "head_dim of q vs k")
        try ctx.requireEqual(k.dims[0], v.dims[0], "cached positions of k vs v")
        try ctx.requireEqual(k.dims[1], v.dims[1], "kv heads of k vs v")
        try ctx.requireEqual(ctx.operand(3).dims.first, q.dims[0], "positions length vs tokens")
        if let hq = q.dims[1].fixedValue, let hkv = k.dims[1].fixedValue, hq % hkv != 0 {
            throw ctx.error("\(hq) query heads are not a multiple of \(hkv) kv heads")
        }
        guard ctx.int("window") >= 0 else { throw ctx.error("'window' must be >= 0 (0 means no window)") }
        return [TensorType(.f32, [q.dims[0], q.dims[1], v.dims[2]])]
    }
}

/// `%l = logits %x, %w {softcap = 0.0}` — the output projection [T, vocab].
struct LogitsOp: OpDefinition {
    let name = "logits"
    let summary = "output projection to vocabulary logits (optional final soft-cap)"
    let operandNames = ["x", "weight"]
    let attributes: [AttributeSpec] = [.optional("softcap", .float, default: .float(0))]

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        try ctx.requireDType(0, .f32)
        try ctx.requireRank(1, 2)
        try ctx.requireEqual(ctx.operand(1).dims[1], ctx.operand(0).last, "weight input size vs last dimension of x")
        return [TensorType(.f32, ctx.operand(0).dims.dropLast() + [ctx.operand(1).dims[0]])]
    }
}
