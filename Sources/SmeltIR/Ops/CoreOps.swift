/// `%x = input : i32[T]` — a graph input; its type is the one written.
struct InputOp: OpDefinition {
    let name = "input"
    let summary = "a graph input (token ids, positions); its type is written after ':'"
    let operandNames: [String] = []

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        guard let type = ctx.declaredType else {
            throw ctx.error("an input needs its type written, e.g. ': i32[T]'")
        }
        return [type]
    }
}

/// `%w = weight {name = "blk.{layer}.attn_q.weight", shape = [N, K]}` — a
/// stored tensor; `dtype` (its stored format) is set when the graph is bound
/// to a checkpoint; `quant`, set by the quantization pass, is the format the
/// compiled model stores it in when that differs.
struct WeightOp: OpDefinition {
    let name = "weight"
    let summary = "a stored weight tensor, found by name in the checkpoint"
    let operandNames: [String] = []
    let attributes: [AttributeSpec] = [.required("name", .string), .required("shape", .shape), .optional("dtype", .dtype),
                                            .optional("quant", .dtype)]

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        let dims = try shapeDims(ctx.attributes["shape"], ctx)
        let dtype = ctx.attributes["dtype"]?.symbolValue.flatMap(DType.init(rawValue:))
        return [TensorType(dtype, dims)]
    }
}

/// Turns a `shape` attribute into dimensions.
func shapeDims(_ value: AttrValue?, _ ctx: TypeContext) throws -> [Dim] {
    guard let items = value?.listValue else { throw ctx.error("'shape' must be a list like [T, 64]") }
    return try items.map { item in
        switch item {
        case .int(let v) where v > 0: return .fixed(v)
        case .symbol(let s): return .symbol(s)
        default: throw ctx.error("shape dimension \(item) must be a positive integer or a symbol like T")
        }
    }
}

/// `%x = embedding %table, %ids` — rows of `table` [V, D] for each id.
struct EmbeddingOp: OpDefinition {
    let name = "embedding"
    let summary = "looks up rows of a [vocab, d] table for i32 token ids"
    let operandNames = ["table", "ids"]

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        try ctx.requireRank(0, 2)
        try ctx.requireDType(1, .i32)
        return [TensorType(.f32, ctx.operand(1).dims + [ctx.operand(0).dims[1]])]
    }
}

/// `%y = rms_norm %x, %w {eps = 1e-6}` — normalises the last dimension.
struct RMSNormOp: OpDefinition {
    let name = "rms_norm"
    let summary = "x / sqrt(mean(x^2) + eps) * weight over the last dimension"
    let operandNames = ["x", "weight"]
    let attributes: [AttributeSpec] = [.required("eps", .float)]

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        try ctx.requireDType(0, .f32)
        try ctx.requireRank(1, 1)
        try ctx.requireEqual(ctx.operand(1).dims[0], ctx.operand(0).last, "weight length vs last dimension of x")
        return [ctx.operand(0)]
    }
}

/// `%y = linear %x, %w [, %bias]` — y = x · wᵀ (+ bias), w is [out, in].
struct LinearOp: OpDefinition {
    let name = "linear"
    let summary = "y = x · weightᵀ (+ bias); weight is [out, in] in any stored dtype"
    let operandNames = ["x", "weight", "bias"]
    let optionalOperandCount = 1

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        try ctx.requireDType(0, .f32)
        try ctx.requireRank(1, 2)
        let w = ctx.operand(1)
        try ctx.requireEqual(w.dims[1], ctx.operand(0).last, "weight input size vs last dimension of x")
        if ctx.operandTypes.count == 3 {
            try ctx.requireRank(2, 1)
            try ctx.requireEqual(ctx.operand(2).dims[0], w.dims[0], "bias length vs weight output size")
        }
        return [TensorType(.f32, ctx.operand(0).dims.dropLast() + [w.dims[0]])]
    }
}

/// `add` and `mul`: elementwise on two values of one type.
struct BinaryOp: OpDefinition {
    let name: String
    var summary: String { name == "add" ? "elementwise a + b" : "elementwise a * b" }
    let operandNames = ["a", "b"]

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        guard ctx.operand(0) == ctx.operand(1) else {
            throw ctx.error("operand types differ: \(ctx.operand(0)) and \(ctx.operand(1))")
        }
        try ctx.requireDType(0, .f32)
        return [ctx.operand(0)]
    }
}

/// `gelu_tanh` and `silu`: elementwise activations.
struct UnaryOp: OpDefinition {
    let name: String
    var summary: String { name == "silu" ? "x * sigmoid(x)" : "GELU, tanh approximation" }
    let operandNames = ["x"]

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        try ctx.requireDType(0, .f32)
        return [ctx.operand(0)]
    }
}

/// `%y = scale %x {factor = 8.0}`
struct ScaleOp: OpDefinition {
    let name = "scale"
    let summary = "x * factor"
    let operandNames = ["x"]
    let attributes: [AttributeSpec] = [.required("factor", .float)]

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        try ctx.requireDType(0, .f32)
        return [ctx.operand(0)]
    }
}

/// `%y = reshape %x {shape = [T, 4, 16]}` — a view with the same elements.
struct ReshapeOp: OpDefinition {
    let name = "reshape"
    let summary = "the same elements viewed with another shape"
    let operandNames = ["x"]
    let attributes: [AttributeSpec] = [.required("shape", .shape)]

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        let dims = try shapeDims(ctx.attributes["shape"], ctx)
        let from = ctx.operand(0)
        func factors(_ dims: [Dim]) -> (Int, [String]) {
            (dims.compactMap(\.fixedValue).reduce(1, *), dims.compactMap { if case .symbol(let s) = $0 { s } else { nil } }.sorted())
        }
        guard factors(dims) == factors(from.dims) else {
            throw ctx.error("cannot reshape \(from) to \(TensorType(from.dtype, dims).shapeText): element counts differ")
        }
        return [TensorType(from.dtype, dims)]
    }
}

/// `%s = sample %logits {temperature = 0.0}` — next token ids.
struct SampleOp: OpDefinition {
    let name = "sample"
    let summary = "picks a token id per row of logits (greedy at temperature 0)"
    let operandNames = ["logits"]
    let attributes: [AttributeSpec] = [
        .optional("temperature", .float, default: .float(0)), .optional("top_k", .int, default: .int(0)),
        .optional("top_p", .float, default: .float(1)), .optional("seed", .int, default: .int(0)),
    ]

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        try ctx.requireRank(0, 2)
        return [TensorType(.i32, [ctx.operand(0).dims[0]])]
    }
}

/// `%a, %b = fused %x, %y {kernel = "..."} { members...; yield %p, %q }` —
/// ops that codegen emits as one kernel. The reference interpreter runs the
/// members one by one.
struct FusedOp: OpDefinition {
    let name = "fused"
    let summary = "a region of ops emitted as one kernel"
    let operandNames: [String] = []
    let attributes: [AttributeSpec] = [.required("kernel", .string)]

    func inferTypes(_ ctx: TypeContext) throws -> [TensorType] {
        guard let types = ctx.regionTypes else { throw ctx.error("a fused op needs a body ending in 'yield'") }
        return types
    }
}
