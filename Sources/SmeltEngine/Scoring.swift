import Foundation
import SmeltIR

/// What the model predicted at one position of a teacher-forced sequence.
public struct PositionScore: Sendable, Codable, Equatable {
    /// Index in the sequence; the prediction is for position + 1.
    public var position: Int
    public var token: Int32
    /// The `top` highest logits, best first, ties by lower id.
    public var top: [TokenLogit]
    /// log p(next token | tokens up to here); nil at the last position.
    public var nextToken: Int32?
    public var nextLogProb: Double?

    public struct TokenLogit: Sendable, Codable, Equatable {
        public var id: Int32
        public var logit: Float
    }
}

/// Teacher-forced evaluation: run a token sequence through a backend and
/// read, at every position, the top logits and the log-probability of the
/// token that actually comes next.
public struct Scorer {
    public let backend: any InferenceBackend
    /// Positions per backend call; bounds memory for the [rows, vocab] logits.
    public var chunkSize = 64

    public init(backend: any InferenceBackend) { self.backend = backend }

    public func score(_ ids: [Int32], top: Int) throws -> [PositionScore] {
        guard !ids.isEmpty else { throw SmeltError("nothing to score: the token sequence is empty") }
        guard top >= 1 else { throw SmeltError("--top must be at least 1") }
        guard ids.count <= backend.contextLength else {
            throw SmeltError("\(ids.count) tokens exceed the context length of \(backend.contextLength)")
        }
        let vocab = backend.vocabularySize
        for id in ids where id < 0 || Int(id) >= vocab {
            throw SmeltError("token id \(id) is outside the vocabulary (0 ..< \(vocab))")
        }
        try backend.reset(sampling: .greedy)
        var scores: [PositionScore] = []
        for start in stride(from: 0, to: ids.count, by: chunkSize) {
            let chunk = Array(ids[start ..< min(start + chunkSize, ids.count)])
            let logits = try backend.scoreLogits(chunk)
            for row in 0..<chunk.count {
                let position = start + row
                let values = logits[(row * vocab) ..< ((row + 1) * vocab)]
                let next = position + 1 < ids.count ? ids[position + 1] : nil
                scores.append(PositionScore(
                    position: position, token: ids[position], top: topLogits(values, count: top),
                    nextToken: next, nextLogProb: next.map { logSoftmax(values, at: Int($0)) }))
            }
        }
        return scores
    }

    /// Perplexity of `ids` under the model: exp of the mean negative
    /// log-likelihood of every token after the first, in windows of at most
    /// the context length (each window starts with an empty cache).
    public func perplexity(_ ids: [Int32], window: Int? = nil) throws -> (perplexity: Double, tokens: Int) {
        let windowSize = min(window ?? backend.contextLength, backend.contextLength)
        guard ids.count >= 2 else { throw SmeltError("perplexity needs at least 2 tokens, got \(ids.count)") }
        var totalNLL = 0.0, counted = 0
        for start in stride(from: 0, to: ids.count - 1, by: windowSize) {
            let piece = Array(ids[start ..< min(start + windowSize, ids.count)])
            guard piece.count >= 2 else { break }
            for score in try self.score(piece, top: 1) {
                if let lp = score.nextLogProb {
                    totalNLL -= lp
                    counted += 1
                }
            }
        }
        return (exp(totalNLL / Double(counted)), counted)
    }
}

/// The `count` largest values with their indices, best first.
func topLogits(_ values: ArraySlice<Float>, count: Int) -> [PositionScore.TokenLogit] {
    var best: [PositionScore.TokenLogit] = []
    for (offset, value) in values.enumerated() {
        if best.count == count, let last = best.last, !(value > last.logit) { continue }
        let entry = PositionScore.TokenLogit(id: Int32(offset), logit: value)
        let index = best.firstIndex { value > $0.logit } ?? best.count
        best.insert(entry, at: index)
        if best.count > count { best.removeLast() }
    }
    return best
}

/// log softmax(values)[index], in double precision.
func logSoftmax(_ values: ArraySlice<Float>, at index: Int) -> Double {
    let maxValue = Double(values.max() ?? 0)
    var sum = 0.0
    for v in values { sum += exp(Double(v) - maxValue) }
    return Double(values[values.startIndex + index]) - maxValue - log(sum)
}
