import Foundation
import SmeltIR
import SmeltModels

/// What `smelt bench` measures, for one backend on one model.
public struct BenchReport: Codable, Sendable {
    public var model: String
    public var backend: String
    public var device: String?
    public var driver: String?
    public var promptTokens: Int
    public var generatedTokens: Int
    /// "greedy", or the temperature, top-k, top-p and seed.
    public var sampling: String
    /// Time to first token, split.
    public var tokenizeSeconds: Double
    public var prefillSeconds: Double
    public var firstDecodeStepSeconds: Double
    public var prefillTokensPerSecond: Double
    public var decodeTokensPerSecond: Double
    public var decodeLatencyP50Ms: Double
    public var decodeLatencyP95Ms: Double
    public var dispatchesPerToken: Int?
    /// Command-buffer recordings during the whole generation.
    public var commandBufferRecordings: Int?
    public var bytesPerToken: Int?
    /// bytesPerToken × decode tokens per second.
    public var achievedGBPerSecond: Double?
    public var peakDeviceMemoryBytes: Int?
}

/// Runs a prefill of `promptTokens` and `generatedTokens` decode steps,
/// greedy unless `sampling` has a temperature.
public struct Bench {
    public var promptTokens = 512
    public var generatedTokens = 32
    public var sampling = SamplingParameters.greedy
    /// Untimed generations first (the prompt's first 8 tokens, 2 tokens
    /// out), so a driver's first-use work (lavapipe compiles each kernel on
    /// its first dispatch) stays out of the figures.
    public var warmupRuns = 0

    public init(promptTokens: Int, generatedTokens: Int, sampling: SamplingParameters = .greedy) {
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
        self.sampling = sampling
    }

    /// A prompt of exactly `promptTokens` ids: real text, tokenized (that
    /// time is the reported tokenize time), repeated as needed.
    public func prompt(tokenizer: SentencePieceTokenizer?, vocabularySize: Int) -> ([Int32], Double) {
        let start = DispatchTime.now()
        var ids: [Int32]
        if let tokenizer {
            var repeats = 1
            repeat {
                ids = tokenizer.encode(String(repeating: Self.text, count: repeats), addBOS: true, parseSpecial: false)
                repeats *= 2
            } while ids.count < promptTokens
        } else {
            ids = (0..<promptTokens).map { Int32(($0 * 7919 + 1) % vocabularySize) }
        }
        ids = Array(ids.prefix(promptTokens))
        return (ids, seconds(since: start))
    }

    public func run(backend: any InferenceBackend, model: String, tokenizer: SentencePieceTokenizer?) throws -> BenchReport {
        guard promptTokens >= 1, generatedTokens >= 2 else {
            throw SmeltError("bench needs --prompt-tokens >= 1 and --gen-tokens >= 2")
        }
        let (prompt, tokenizeTime) = self.prompt(tokenizer: tokenizer, vocabularySize: backend.vocabularySize)
        for _ in 0 ..< warmupRuns {
            _ = try Generator(backend: backend).generate(prompt: Array(prompt.prefix(8)), maxTokens: 2,
                                                         sampling: sampling)
        }
        let generation = try Generator(backend: backend).generate(prompt: prompt, maxTokens: generatedTokens,
                                                                  sampling: sampling)
        let t = generation.timings
        let latencies = t.decodeSteps.sorted()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)] * 1000
        }
        let counters = backend.counters
        let decodeRate = t.decodeTokensPerSecond
        return BenchReport(
            model: model, backend: backend.name, device: counters.deviceName, driver: counters.driverName,
            promptTokens: prompt.count, generatedTokens: generation.tokens.count, sampling: sampling.summary,
            tokenizeSeconds: tokenizeTime, prefillSeconds: t.prefill, firstDecodeStepSeconds: t.firstDecodeStep,
            prefillTokensPerSecond: Double(prompt.count) / t.prefill, decodeTokensPerSecond: decodeRate,
            decodeLatencyP50Ms: percentile(0.5), decodeLatencyP95Ms: percentile(0.95),
            dispatchesPerToken: counters.dispatchesPerToken, commandBufferRecordings: counters.commandBufferRecordings,
            bytesPerToken: counters.bytesPerToken,
            achievedGBPerSecond: counters.bytesPerToken.map { Double($0) * decodeRate / 1e9 },
            peakDeviceMemoryBytes: counters.peakDeviceMemory)
    }

    static let text = """
    The printing press changed how ideas travelled. Before it, every book was copied by hand, \
    and a single volume could take months to finish. Afterwards, a workshop could print hundreds \
    of identical pages in a day, and pamphlets, maps and scientific papers spread across the continent. 
    """
}
