import Foundation
import SmeltIR
import SmeltModels

/// Which rows of the logits a step computes. The output projection is the
/// largest matmul of a model; a prefill usually needs only the last row.
public enum LogitRows: Sendable {
    case all
    case last
}

/// One generation on the reference interpreter: a KV cache and the number
/// of positions already in it. `step` runs the graph on new tokens (a
/// prefill of T tokens, or a decode step of one) and returns their logits.
public final class ReferenceSession {
    public let model: ReferenceModel
    /// Tokens already in the cache; the next token goes at this position.
    public private(set) var position = 0
    var keys: [Int: [Float]] = [:]
    var values: [Int: [Float]] = [:]

    init(model: ReferenceModel) {
        self.model = model
        for (layer, shape) in model.cacheShapes {
            keys[layer] = [Float](repeating: 0, count: model.contextLength * shape.heads * shape.keyDim)
            values[layer] = [Float](repeating: 0, count: model.contextLength * shape.heads * shape.valueDim)
        }
    }

    /// Empties the cache.
    public func reset() { position = 0 }

    /// Runs `tokens` at positions `position ..< position + tokens.count` and
    /// returns logits, row-major [rows, vocab].
    public func step(_ tokens: [Int32], rows: LogitRows = .last) throws -> [Float] {
        guard !tokens.isEmpty else { throw SmeltError("no tokens to run") }
        guard position + tokens.count <= model.contextLength else {
            throw SmeltError("\(position + tokens.count) tokens exceed the context length of \(model.contextLength)",
                             hint: "use a shorter prompt or fewer tokens, or raise context_length in the model config")
        }
        var run = GraphRun(session: self, tokens: tokens, rows: rows)
        let outputs = try run.execute()
        position += tokens.count
        return outputs
    }
}
