import Foundation
import SmeltIR

/// The ops with more to do than call one kernel.
extension GraphRun {
    mutating func runLinear(_ op: Op, shape: [Int]) throws {
        let (x, xShape) = try f32(op.operands[0])
        let (w, wShape) = try f32(op.operands[1])
        let inFeatures = xShape.last ?? 1
        var y = try CPUKernels.matmul(x, w, tokens: x.count / inFeatures, inFeatures: inFeatures, outFeatures: wShape[0])
        if op.operands.count == 3 {
            let bias = try f32(op.operands[2]).0
            for i in y.indices { y[i] += bias[i % bias.count] }
        }
        values[op.result] = .f32(y, shape)
    }

    /// The output projection; with `LogitRows.last` only the last row.
    mutating func runLogits(_ op: Op, shape: [Int]) throws {
        var (x, xShape) = try f32(op.operands[0])
        let (w, wShape) = try f32(op.operands[1])
        let dim = xShape.last ?? 1
        var outShape = shape
        if rows == .last, x.count > dim {
            x = Array(x[(x.count - dim)...])
            outShape[0] = 1
        }
        var y = try CPUKernels.matmul(x, w, tokens: x.count / dim, inFeatures: dim, outFeatures: wShape[0])
        let cap = Float(op.attribute("softcap")?.doubleValue ?? 0)
        if cap > 0 {
            for i in y.indices { y[i] = cap * Foundation.tanh(y[i] / cap) }
        }
        values[op.result] = .f32(y, outShape)
    }

    mutating func runKVWrite(_ op: Op) throws {
        let layer = op.attributes["layer"]?.intValue ?? 0
        guard let cacheShape = session.model.cacheShapes[layer] else {
            throw SmeltError("kv_write: no cache for layer \(layer)", at: op.location)
        }
        var (k, kShape) = try f32(op.operands[0])
        var (v, _) = try f32(op.operands[1])
        // An f16 or q8_0 cache (select-kv-layout) keeps keys and values
        // rounded as the device's does; the layout does not change the math.
        switch op.attributes["dtype"]?.symbolValue ?? "f32" {
        case "f32":
            break
        case "f16":
            k = k.map { Float(Float16($0)) }
            v = v.map { Float(Float16($0)) }
        case "q8_0":
            let block = DType.q8_0.blockSize
            guard cacheShape.keyDim % block == 0, cacheShape.valueDim % block == 0 else {
                throw SmeltError("kv_write: a q8_0 cache needs head sizes that are multiples of \(block), got "
                    + "\(cacheShape.keyDim) and \(cacheShape.valueDim)", at: op.location)
            }
            k = CPUKernels.roundedToQ8Blocks(k)
            v = CPUKernels.roundedToQ8Blocks(v)
        case let other:
            throw SmeltError("kv_write: a KV cache stores f32, f16 or q8_0, not \(other)", at: op.location)
        }
        let positions = try i32(op.operands[2])
        let capacity = session.model.contextLength
        try CPUKernels.writeKV(k, into: &session.keys[layer, default: []], positions: positions, tokens: kShape[0],
                               kvHeads: cacheShape.heads, headDim: cacheShape.keyDim, cacheCapacity: capacity)
        try CPUKernels.writeKV(v, into: &session.values[layer, default: []], positions: positions, tokens: kShape[0],
                               kvHeads: cacheShape.heads, headDim: cacheShape.valueDim, cacheCapacity: capacity)
        values[op.results[0]] = .cache(layer: layer, isKey: true)
        values[op.results[1]] = .cache(layer: layer, isKey: false)
    }

    mutating func runAttention(_ op: Op, shape: [Int]) throws {
        let (q, qShape) = try f32(op.operands[0])
        guard case .cache(let layer, true)? = values[op.operands[1]], case .cache(layer, false)? = values[op.operands[2]],
              let cacheShape = session.model.cacheShapes[layer] else {
            throw SmeltError("attention: k and v must come from one kv_write", at: op.location)
        }
        guard cacheShape.keyDim == cacheShape.valueDim else {
            throw SmeltError("attention: key and value head sizes must match on the reference backend", at: op.location)
        }
        let out = try CPUKernels.attention(
            q: q, keys: session.keys[layer] ?? [], values: session.values[layer] ?? [],
            positions: try i32(op.operands[3]), tokens: qShape[0], queryHeads: qShape[1], kvHeads: cacheShape.heads,
            headDim: qShape[2], cacheCapacity: session.model.contextLength,
            cacheLength: session.position + qShape[0], scale: Float(op.attribute("scale")?.doubleValue ?? 1),
            window: op.attribute("window")?.intValue ?? 0, softcap: Float(op.attribute("softcap")?.doubleValue ?? 0))
        values[op.result] = .f32(out, shape)
    }
}
