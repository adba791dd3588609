import ArgumentParser
import Foundation
import SmeltArtifact
import SmeltEngine
import SmeltIR
import SmeltPasses

extension PipelineOptions {
    /// Sets the `--kv-cache` override, which the pipeline's
    /// select-kv-layout applies.
    mutating func setKVCache(_ format: DType?) throws {
        guard let format else { return }
        guard pipeline.passes.contains("select-kv-layout"), !disabledPasses.contains("select-kv-layout") else {
            throw ValidationError("--kv-cache needs the select-kv-layout pass, which pipeline '\(pipeline.name)' does not run")
        }
        kvCache = format
    }
}

/// The compiler flags `compile` and `plan` share.
struct PipelineArguments: ParsableArguments {
    @Option(help: "The pass pipeline: a name in configs/pipelines (default, none) or a .pipeline file.")
    var pipeline = "default"
    @Option(name: .customLong("disable-pass"), help: "Skip this pass of the pipeline (repeatable).")
    var disabledPasses: [String] = []
    @Option(name: .customLong("print-after"), help: "Print the graph after this pass, or after every pass with 'all' (stderr).")
    var printAfter: [String] = []
    @Flag(name: .customLong("pass-stats"), help: "Print each pass's time and statistics (stderr).")
    var passStats = false
    @Option(help: "Store every weight matrix in this format (f32, f16, q8_0), overriding the quantization pass.")
    var quant: String?
    @Option(name: .customLong("kv-cache"), help: "Store the KV cache as f32, f16 or q8_0, overriding select-kv-layout.")
    var kvCache: String?
    @Option(name: .customLong("device-profile"), help: "A device profile (configs/devices/*.yaml); default: lavapipe.")
    var deviceProfile: String?

    func options() throws -> PipelineOptions {
        let quantFormat = try quant.map { name -> DType in
            guard let dtype = DType(rawValue: name), [.f32, .f16, .q8_0].contains(dtype) else {
                throw ValidationError("--quant '\(name)': choose f32, f16 or q8_0")
            }
            return dtype
        }
        for name in printAfter where name != "all" && PassRegistry.make(name) == nil {
            throw SmeltError("--print-after: unknown pass '\(name)'",
                             hint: didYouMean(name, in: PassRegistry.names) ?? "passes: \(PassRegistry.names.joined(separator: ", "))")
        }
        let kvFormat = try kvCache.map(Self.kvCacheFormat)
        let profile = try deviceProfile.map(DeviceProfile.load(path:)) ?? .lavapipe
        let loaded = try Pipeline.load(pipeline)
        var options = PipelineOptions(pipeline: loaded, disabledPasses: Set(disabledPasses),
                                      quant: quantFormat, profile: profile)
        try options.setKVCache(kvFormat)
        return options
    }

    /// The `--kv-cache` value as a format.
    static func kvCacheFormat(_ name: String) throws -> DType {
        guard let dtype = DType(rawValue: name), [.f32, .f16, .q8_0].contains(dtype) else {
            throw ValidationError("--kv-cache '\(name)': choose f32, f16 or q8_0")
        }
        return dtype
    }

    /// Prints the graph after the passes `--print-after` names.
    func printer() -> (String, Graph) -> Void {
        let wanted = Set(printAfter)
        return { pass, graph in
            guard wanted.contains("all") || wanted.contains(pass) else { return }
            FileHandle.standardError.write(Data("// ----- after \(pass)\n\(graph.text)".utf8))
        }
    }

    /// The `--pass-stats` table.
    func printStats(_ report: PlanReport) {
        guard passStats else { return }
        var lines = ["pass                   ms  statistics"]
        for run in report.passes {
            let stats = run.statistics.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            lines.append(run.name.padding(toLength: 18, withPad: " ", startingAt: 0)
                         + String(format: "%8.1f  ", run.milliseconds) + stats)
        }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
