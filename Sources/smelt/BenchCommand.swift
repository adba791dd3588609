import ArgumentParser
import Foundation
import SmeltEngine
import SmeltIR

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure prefill and decode speed.",
        discussion: """
        Prefills a prompt of --prompt-tokens tokens (real text, tokenized), then decodes \
        --gen-tokens tokens (greedily, or sampled with --temperature, --top-k, --top-p and \
        --seed as `smelt run` takes them). Prints time to first token split into tokenize / \
        prefill / first decode step, prefill and decode tok/s, p50/p95 decode latency, \
        and what the backend counts: dispatches per token, command-buffer recordings, \
        bytes moved per token, achieved GB/s, peak device memory. A short warm-up \
        generation runs first (--warmup 0 to measure a cold start): drivers may compile a \
        kernel on its first dispatch (lavapipe does), which would otherwise land in the \
        first prefill.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .customLong("prompt-tokens"), help: "Tokens in the prompt.") var promptTokens = 512
    @Option(name: .customLong("gen-tokens"), help: "Tokens to generate.") var genTokens = 32
    @OptionGroup var sampling: SamplingOptions
    @Option(help: "Untimed warm-up generations before the measured one (an 8-token prompt, 2 tokens).")
    var warmup = 1
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try sampling.parameters.validate()
        guard warmup >= 0 else { throw ValidationError("--warmup must be ≥ 0, got \(warmup)") }
        let (loaded, backend) = try modelOptions.load()
        var bench = Bench(promptTokens: promptTokens, generatedTokens: genTokens, sampling: sampling.parameters)
        bench.warmupRuns = warmup
        let report = try bench.run(backend: backend, model: loaded.name, tokenizer: loaded.tokenizer)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.table)
        }
    }
}

extension BenchReport {
    /// A readable table.
    var table: String {
        func opt<T>(_ value: T?, _ format: (T) -> String) -> String { value.map(format) ?? "n/a" }
        let rows: [(String, String)] = [
            ("model", model), ("backend", backend), ("device", device ?? "n/a"), ("driver", driver ?? "n/a"),
            ("prompt tokens", "\(promptTokens)"), ("generated tokens", "\(generatedTokens)"), ("sampling", sampling),
            ("TTFT: tokenize", String(format: "%.1f ms", tokenizeSeconds * 1000)),
            ("TTFT: prefill", String(format: "%.1f ms", prefillSeconds * 1000)),
            ("TTFT: first decode step", String(format: "%.1f ms", firstDecodeStepSeconds * 1000)),
            ("prefill", String(format: "%.2f tok/s", prefillTokensPerSecond)),
            ("decode", String(format: "%.2f tok/s", decodeTokensPerSecond)),
            ("decode latency p50 / p95", String(format: "%.1f / %.1f ms", decodeLatencyP50Ms, decodeLatencyP95Ms)),
            ("dispatches per token", opt(dispatchesPerToken) { "\($0)" }),
            ("command-buffer recordings", opt(commandBufferRecordings) { "\($0)" }),
            ("bytes moved per token", opt(bytesPerToken) { String(format: "%.1f MB", Double($0) / 1e6) }),
            ("achieved bandwidth", opt(achievedGBPerSecond) { String(format: "%.2f GB/s", $0) }),
            ("peak device memory", opt(peakDeviceMemoryBytes) { String(format: "%.1f MB", Double($0) / 1e6) }),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
