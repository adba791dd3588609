import Foundation
import SmeltIR
import SmeltModels

/// A bound graph with every weight dequantized to f32, ready for the CPU
/// reference interpreter. Dequantizing once at load keeps the interpreter
/// simple (fp32 everywhere) at the cost of 4 bytes per parameter.
public final class ReferenceModel: @unchecked Sendable {
    public let graph: Graph
    /// Context length: the KV cache capacity of a session.
    public let contextLength: Int
    let weights: [ValueID: [Float]]
    /// kv_write ops by layer: (kv heads, key dim, value dim).
    let cacheShapes: [Int: (heads: Int, keyDim: Int, valueDim: Int)]

    /// Dequantizes the bound graph's weights from `store`.
    public init(graph: Graph, store: any WeightStore, contextLength: Int) throws {
        self.graph = graph
        self.contextLength = contextLength
        var weights: [ValueID: [Float]] = [:]
        var byName: [String: [Float]] = [:]
        for op in graph.weights {
            guard let name = op.attributes["name"]?.stringValue else { continue }
            if let values = byName[name] {
                weights[op.result] = values
                continue
            }
            let tensor = try store.tensor(named: name)
            let values = try tensor.dequantized()
            byName[name] = values
            weights[op.result] = values
        }
        self.weights = weights
        var shapes: [Int: (Int, Int, Int)] = [:]
        // Fused ops run their members, so their kv_writes own caches too.
        let ops = graph.ops.flatMap { [$0] + ($0.region?.ops ?? []) }
        for op in ops where op.kind == "kv_write" {
            let layer = op.attributes["layer"]?.intValue ?? 0
            let k = graph.type(of: op.results[0]).dims, v = graph.type(of: op.results[1]).dims
            guard let heads = k[1].fixedValue, let kd = k[2].fixedValue, let vd = v[2].fixedValue else {
                throw SmeltError("kv_write: cache dimensions must be fixed", at: op.location)
            }
            guard shapes[layer] == nil else {
                throw SmeltError("kv_write: layer \(layer) is written twice", at: op.location)
            }
            shapes[layer] = (heads, kd, vd)
        }
        cacheShapes = shapes
    }

    /// Starts a generation with an empty KV cache.
    public func makeSession() -> ReferenceSession { ReferenceSession(model: self) }
}

extension ReferenceModel {
    /// The size of the last dimension of the graph's first output.
    /// Bytes of dequantized (f32) weights, each distinct tensor once.
    public var weightBytes: Int {
        var seen = Set<String>(), total = 0
        for op in graph.weights {
            guard let name = op.attributes["name"]?.stringValue, seen.insert(name).inserted else { continue }
            total += (weights[op.result]?.count ?? 0) * 4
        }
        return total
    }

    public var vocabularySize: Int { graph.type(of: graph.outputs[0]).dims.last?.fixedValue ?? 0 }
}
