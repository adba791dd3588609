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

        --compare none,default compiles a config or GGUF with each pipeline and measures \
        them in one process on the Vulkan device: each prefills the prompt in turn \
        (--prefill-rounds times), then they decode greedily in turn in blocks of \
        --block-tokens steps. Each ratio to the first pipeline is the median over \
        neighbouring rounds or blocks, so a shared machine's drift cancels; the decode \
        ratio's quartiles are printed with it. Use --gen-tokens 128 or more for a \
        stable decode ratio.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .customLong("prompt-tokens"), help: "Tokens in the prompt.") var promptTokens = 512
    @Option(name: .customLong("gen-tokens"), help: "Tokens to generate.") var genTokens = 32
    @OptionGroup var sampling: SamplingOptions
    @Option(help: "Untimed warm-up generations before the measured one (an 8-token prompt, 2 tokens).")
    var warmup = 1
    @Option(help: "Pipelines to compare in one process, comma-separated (e.g. none,default); ratios are to the first.")
    var compare: String?
    @Option(name: .customLong("block-tokens"), help: "With --compare: decode steps a pipeline runs before the next takes over.")
    var blockTokens = 8
    @Option(name: .customLong("prefill-rounds"), help: "With --compare: prefills of the prompt per pipeline.")
    var prefillRounds = 3
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try sampling.parameters.validate()
        guard warmup >= 0 else { throw ValidationError("--warmup must be ≥ 0, got \(warmup)") }
        if let compare { return try runComparison(compare) }
        let (loaded, backend) = try modelOptions.load()
        var bench = Bench(promptTokens: promptTokens, generatedTokens: genTokens, sampling: sampling.parameters)
        bench.warmupRuns = warmup
        let report = try bench.run(backend: backend, model: loaded.name, tokenizer: loaded.tokenizer)
        try emit(report, table: report.table)
    }

    /// Prints `report` as JSON with --json, else `table`.
    private func emit(_ report: some Encodable, table: String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(table)
        }
    }
}

extension BenchCommand {
    private func runComparison(_ list: String) throws {
        let names = list.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard names.count >= 2, !names.contains(""), Set(names).count == names.count else {
            throw ValidationError("--compare takes two or more distinct pipeline names, comma-separated; got '\(list)'")
        }
        guard sampling.parameters == .greedy else {
            throw ValidationError("--compare decodes greedily; drop --temperature, --top-k, --top-p and --seed")
        }
        guard blockTokens >= 1, prefillRounds >= 1 else {
            throw ValidationError("--block-tokens and --prefill-rounds must be ≥ 1")
        }
        let (model, backends) = try modelOptions.load(pipelines: names) { note("bench: \($0)") }
        var comparison = BenchComparison(promptTokens: promptTokens, generatedTokens: genTokens)
        comparison.blockTokens = blockTokens
        comparison.prefillRounds = prefillRounds
        comparison.progress = { note("bench: \($0)") }
        let report = try comparison.run(backends, model: model.name, tokenizer: model.tokenizer)
        try emit(report, table: report.table)
    }

    private func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

extension ComparisonReport {
    /// One row per pipeline, then the decode ratios' spread.
    var table: String {
        let header = ["pipeline", "decode tok/s", "prefill tok/s", "dispatches/tok", "MB/tok", "GB/s", "decode ×",
                      "prefill ×"]
        let rows = entries.map { e in
            [e.pipeline, String(format: "%.2f", e.decodeTokensPerSecond), String(format: "%.2f", e.prefillTokensPerSecond),
             e.dispatchesPerToken.map { "\($0)" } ?? "n/a",
             e.bytesPerToken.map { String(format: "%.1f", Double($0) / 1e6) } ?? "n/a",
             e.achievedGBPerSecond.map { String(format: "%.2f", $0) } ?? "n/a",
             String(format: "%.2f", e.decodeRatio), String(format: "%.2f", e.prefillRatio)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        var lines = [line(header)] + rows.map(line)
        let blocks = (generatedTokens + blockTokens - 1) / blockTokens
        for e in entries.dropFirst() {
            lines.append(String(format: "%@ ÷ %@ decode: median %.2f, quartiles %.2f–%.2f over %d blocks of %d tokens",
                                e.pipeline as NSString, entries[0].pipeline as NSString, e.decodeRatio,
                                e.decodeRatioLow, e.decodeRatioHigh, blocks, blockTokens))
        }
        lines.append("model \(model); device: \(device ?? "n/a"); \(promptTokens)-token prompt, \(prefillRounds) prefill "
            + "round(s), \(generatedTokens) tokens decoded by each pipeline, in one process")
        return lines.joined(separator: "\n")
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
