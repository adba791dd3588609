import Foundation
import SmeltIR

/// A value while the interpreter runs: f32 or i32 data with a concrete
/// shape, or a reference to a layer's KV cache.
enum RuntimeValue {
    case f32([Float], [Int])
    case i32([Int32], [Int])
    case cache(layer: Int, isKey: Bool)
}

/// Executes a graph once for one step of a session, op by op in fp32.
/// Fused regions run by their member ops, so every pass pipeline is checked
/// against the same arithmetic.
struct GraphRun {
    let session: ReferenceSession
    let tokens: [Int32]
    let rows: LogitRows
    let positions: [Int32]
    var values: [ValueID: RuntimeValue] = [:]

    init(session: ReferenceSession, tokens: [Int32], rows: LogitRows) {
        self.session = session
        self.tokens = tokens
        self.rows = rows
        self.positions = (0..<tokens.count).map { Int32(session.position + $0) }
    }

    var graph: Graph { session.model.graph }

    mutating func execute() throws -> [Float] {
        try run(graph.ops)
        guard let output = graph.outputs.first, case .f32(let data, _)? = values[output] else {
            throw SmeltError("graph '\(graph.name)': the first output is not an f32 tensor")
        }
        return data
    }

    private mutating func run(_ ops: [Op]) throws {
        for op in ops {
            do {
                try execute(op)
            } catch let error as SmeltError {
                throw error
            } catch {
                throw SmeltError("\(op.kind): \(error)", at: op.location)
            }
        }
    }

    /// Resolves a type's dimensions for this step (T = tokens, S = cached).
    func concrete(_ type: TensorType) -> [Int] {
        type.dims.map { dim in
            switch dim {
            case .fixed(let v): v
            case .symbol("T"): tokens.count
            case .symbol: session.position + tokens.count
            }
        }
    }

    func f32(_ id: ValueID) throws -> ([Float], [Int]) {
        guard case .f32(let data, let shape)? = values[id] else {
            throw SmeltError("'%\(graph.name(of: id))' is not an f32 tensor here")
        }
        return (data, shape)
    }

    func i32(_ id: ValueID) throws -> [Int32] {
        guard case .i32(let data, _)? = values[id] else {
            throw SmeltError("'%\(graph.name(of: id))' is not an i32 tensor here")
        }
        return data
    }

    private mutating func execute(_ op: Op) throws {
        let shape = concrete(graph.type(of: op.result))
        func float(_ key: String) -> Float { Float(op.attribute(key)?.doubleValue ?? 0) }
        switch op.kind {
        case "input":
            switch graph.name(of: op.result) {
            case "tokens": values[op.result] = .i32(tokens, [tokens.count])
            case "positions": values[op.result] = .i32(positions, [positions.count])
            case let name: throw SmeltError("input '%\(name)': the interpreter provides only %tokens and %positions", at: op.location)
            }
        case "weight":
            guard let data = session.model.weights[op.result] else {
                throw SmeltError("weight '%\(graph.name(of: op.result))' was not loaded", at: op.location)
            }
            values[op.result] = .f32(data, shape)
        case "embedding":
            let (table, tableShape) = try f32(op.operands[0])
            let out = try CPUKernels.embeddingLookup(table: table, ids: try i32(op.operands[1]),
                                                     vocabSize: tableShape[0], dim: tableShape[1])
            values[op.result] = .f32(out, shape)
        case "rms_norm":
            let (x, xShape) = try f32(op.operands[0])
            let dim = xShape.last ?? 1
            let out = try CPUKernels.rmsNorm(x, weight: try f32(op.operands[1]).0, rows: x.count / dim, dim: dim,
                                             eps: float("eps"))
            values[op.result] = .f32(out, shape)
        case "linear":
            try runLinear(op, shape: shape)
        case "logits":
            try runLogits(op, shape: shape)
        case "add", "mul":
            let a = try f32(op.operands[0]).0, b = try f32(op.operands[1]).0
            values[op.result] = .f32(op.kind == "add" ? try CPUKernels.add(a, b) : try CPUKernels.mul(a, b), shape)
        case "scale":
            values[op.result] = .f32(CPUKernels.scale(try f32(op.operands[0]).0, by: float("factor")), shape)
        case "gelu_tanh":
            values[op.result] = .f32(CPUKernels.geluTanh(try f32(op.operands[0]).0), shape)
        case "silu":
            values[op.result] = .f32(CPUKernels.silu(try f32(op.operands[0]).0), shape)
        case "reshape":
            values[op.result] = .f32(try f32(op.operands[0]).0, shape)
        case "rope":
            var (x, xShape) = try f32(op.operands[0])
            try CPUKernels.rope(&x, positions: try i32(op.operands[1]), tokens: xShape[0], heads: xShape[1],
                                headDim: xShape[2], theta: float("theta"), rotaryDim: op.attribute("dims")?.intValue,
                                style: op.attribute("neox")?.boolValue == true ? .neox : .normal)
            values[op.result] = .f32(x, shape)
        case "kv_write":
            try runKVWrite(op)
        case "attention":
            try runAttention(op, shape: shape)
        case "sample":
            let (logits, logitShape) = try f32(op.operands[0])
            let vocab = logitShape.last ?? 1
            let ids = try stride(from: 0, to: logits.count, by: vocab).map {
                Int32(try CPUKernels.argmax(Array(logits[$0 ..< $0 + vocab])))
            }
            values[op.result] = .i32(ids, [ids.count])
        case "fused":
            guard let region = op.region else { throw SmeltError("fused op without a region", at: op.location) }
            try run(region.ops)
            for (result, yielded) in zip(op.results, region.yields) { values[result] = values[yielded] }
        default:
            throw SmeltError("the reference interpreter cannot run op '\(op.kind)'", at: op.location)
        }
    }
}
