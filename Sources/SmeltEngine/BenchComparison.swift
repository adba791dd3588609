import Foundation
import SmeltIR
import SmeltModels

/// What `smelt bench --compare` measures: several pipelines' backends in
/// one process on one prompt.
public struct ComparisonReport: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var pipeline: String
        public var prefillTokensPerSecond: Double
        public var decodeTokensPerSecond: Double
        public var dispatchesPerToken: Int?
        public var bytesPerToken: Int?
        public var achievedGBPerSecond: Double?
        /// Median over prefill rounds / decode blocks of this entry's speed
        /// over the first entry's in the same round or block.
        public var prefillRatio: Double
        public var decodeRatio: Double
        /// Quartiles of the per-block decode ratios.
        public var decodeRatioLow: Double
        public var decodeRatioHigh: Double
    }

    public var model: String
    public var device: String?
    public var promptTokens: Int
    public var generatedTokens: Int
    public var prefillRounds: Int
    public var blockTokens: Int
    public var entries: [Entry]
}

/// Compares backends of one model (one per pipeline) in one process: each
/// prefills the same prompt in turn, `prefillRounds` times, then they
/// decode in turn in blocks of `blockTokens` steps until each has
/// generated `generatedTokens`. Which backend goes first rotates with the
/// round and the block. A shared machine's speed drifts over seconds, so
/// each ratio is taken between neighbouring measurements and the
/// median of those is reported; a ratio of whole separate runs mixes the
/// drift in.
public struct BenchComparison {
    public var promptTokens = 64
    public var generatedTokens = 128
    public var blockTokens = 8
    public var prefillRounds = 3
    /// Called with a line of progress (the phase and how far it is).
    public var progress: (String) -> Void = { _ in }

    public init(promptTokens: Int, generatedTokens: Int) {
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
    }

    public func run(_ backends: [(pipeline: String, backend: any InferenceBackend)], model: String,
                    tokenizer: SentencePieceTokenizer?) throws -> ComparisonReport {
        guard backends.count >= 2 else { throw SmeltError("--compare needs at least two pipelines") }
        guard promptTokens >= 1, generatedTokens >= 2, blockTokens >= 1, prefillRounds >= 1 else {
            throw SmeltError("bench --compare needs --prompt-tokens >= 1, --gen-tokens >= 2 and --block-tokens >= 1")
        }
        let context = backends.map(\.backend.contextLength).min() ?? 0
        guard promptTokens + generatedTokens <= context else {
            throw SmeltError("the prompt (\(promptTokens) tokens) plus \(generatedTokens) generated tokens exceed "
                + "the context length of \(context)")
        }
        let (prompt, _) = Bench(promptTokens: promptTokens, generatedTokens: generatedTokens)
            .prompt(tokenizer: tokenizer, vocabularySize: backends[0].backend.vocabularySize)
        let n = backends.count
        // Warm-up: the driver's first-use work stays out of the figures.
        for (_, backend) in backends {
            try backend.reset(sampling: .greedy)
            _ = try backend.step([try backend.step(Array(prompt.prefix(8)))])
        }
        var prefill = [[Double]](repeating: [], count: n)
        var next = [Int32](repeating: 0, count: n)
        for round in 0 ..< prefillRounds {
            progress("prefill round \(round + 1) of \(prefillRounds)")
            for k in 0 ..< n {
                let i = (k + round) % n
                try backends[i].backend.reset(sampling: .greedy)
                let start = DispatchTime.now()
                next[i] = try backends[i].backend.step(prompt)
                prefill[i].append(seconds(since: start))
            }
        }
        let blocks = (generatedTokens + blockTokens - 1) / blockTokens
        var decode = [[Double]](repeating: [], count: n)
        var generated = 0
        for block in 0 ..< blocks {
            if block % 4 == 0 { progress("decode block \(block + 1) of \(blocks)") }
            let steps = min(blockTokens, generatedTokens - generated)
            for k in 0 ..< n {
                let i = (k + block) % n
                let start = DispatchTime.now()
                for _ in 0 ..< steps { next[i] = try backends[i].backend.step([next[i]]) }
                decode[i].append(seconds(since: start) / Double(steps))
            }
            generated += steps
        }
        let entries = backends.indices.map { i -> ComparisonReport.Entry in
            let counters = backends[i].backend.counters
            let decodeRate = Double(decode[i].count) / decode[i].reduce(0, +)
            let blockRatios = zip(decode[0], decode[i]).map { $0 / $1 }.sorted()
            return ComparisonReport.Entry(
                pipeline: backends[i].pipeline,
                prefillTokensPerSecond: Double(prompt.count) / median(prefill[i]),
                decodeTokensPerSecond: decodeRate,
                dispatchesPerToken: counters.dispatchesPerToken, bytesPerToken: counters.bytesPerToken,
                achievedGBPerSecond: counters.bytesPerToken.map { Double($0) * decodeRate / 1e9 },
                prefillRatio: median(zip(prefill[0], prefill[i]).map { $0 / $1 }),
                decodeRatio: median(blockRatios),
                decodeRatioLow: quantile(blockRatios, 0.25), decodeRatioHigh: quantile(blockRatios, 0.75))
        }
        return ComparisonReport(model: model, device: backends[0].backend.counters.deviceName,
                                promptTokens: prompt.count, generatedTokens: generated,
                                prefillRounds: prefillRounds, blockTokens: blockTokens, entries: entries)
    }

    private func median(_ values: [Double]) -> Double { quantile(values.sorted(), 0.5) }

    /// Linear interpolation between the sorted values' order statistics.
    private func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = Int(position.rounded(.up))
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}
