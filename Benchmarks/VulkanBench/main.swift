// Vulkan backend throughput: prefill tokens/s over a prompt, decode tokens/s
// with several decode steps per submission, and the replay counters.
// Usage: vulkan-bench MODEL [--prompt N] [--decode N] [--steps-per-submit N] [--device N] [--pipeline P]
//                     [--lanes keys|queries]
//        vulkan-bench MODEL --profile [--by-op] [--prefill] [--chunk N] [--times N] [--pipeline P] [--splits N]
//                     [--position N]
import Dispatch
import Foundation
import SmeltEngine
import SmeltIR

func argument(_ name: String, default value: Int) -> Int {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return value }
    return v
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

guard CommandLine.arguments.count > 1 else {
    print("usage: vulkan-bench MODEL [--prompt N] [--decode N] [--steps-per-submit N] [--device N] [--chunk N] "
        + "[--pipeline P] [--lanes keys|queries] [--profile [--by-op] [--prefill] [--chunk N] [--times N] [--splits N] [--position N]]")
    exit(2)
}
do {
    let promptLength = argument("--prompt", default: 512)
    let decodeCount = argument("--decode", default: 32)
    let perSubmit = argument("--steps-per-submit", default: 8)
    let deviceArg = argument("--device", default: -1)
    var start = now()
    var model = try ModelLoader.load(CommandLine.arguments[1])
    // The graph as written unless --pipeline names one (default, none, a file).
    if let i = CommandLine.arguments.firstIndex(of: "--pipeline"), i + 1 < CommandLine.arguments.count {
        model = try model.applying(.named(CommandLine.arguments[i + 1])).0
    }
    print(String(format: "load %.2f s", now() - start))
    var lanes: AttentionLanes?
    if let i = CommandLine.arguments.firstIndex(of: "--lanes"), i + 1 < CommandLine.arguments.count {
        lanes = AttentionLanes(rawValue: CommandLine.arguments[i + 1])
    }
    if CommandLine.arguments.contains("--profile") {
        let splits = argument("--splits", default: 0)
        try profileKinds(model: model, times: argument("--times", default: 3), attentionSplits: splits > 0 ? splits : nil,
                         position: argument("--position", default: 8),
                         prefill: CommandLine.arguments.contains("--prefill"), chunk: argument("--chunk", default: 64), lanes: lanes,
                         byOp: CommandLine.arguments.contains("--by-op"))
        exit(0)
    }
    start = now()
    let backend = try VulkanBackend(model: model, deviceIndex: deviceArg < 0 ? nil : deviceArg,
                                    prefillChunk: argument("--chunk", default: 64), attentionLanes: lanes)
    print(String(format: "lower + compile + upload %.2f s", now() - start))
    let c = backend.counters
    print("device \(c.deviceName ?? "?") (\(c.driverName ?? "?")), dispatches/token \(c.dispatchesPerToken ?? 0), "
        + "prefill dispatches/chunk \(backend.runtime.counters.prefillDispatches), "
        + "bytes/token \(c.bytesPerToken ?? 0), peak device memory \((c.peakDeviceMemory ?? 0) >> 20) MiB")

    // Deterministic ordinary token ids (no specials), BOS first.
    let prompt: [Int32] = [2] + (1 ..< promptLength).map { Int32(1000 + ($0 * 7919) % 20000) }
    try backend.reset(sampling: .greedy)
    start = now()
    let first = try backend.runtime.prefill(prompt)
    let prefillSeconds = now() - start
    print(String(format: "prefill %d tokens: %.2f s, %.2f tok/s", promptLength, prefillSeconds,
                 Double(promptLength) / prefillSeconds))

    start = now()
    var produced = 0
    var last = first
    while produced < decodeCount {
        let ids = try backend.runtime.decode(steps: min(perSubmit, decodeCount - produced))
        produced += ids.count
        last = ids.last ?? last
    }
    let decodeSeconds = now() - start
    let rate = Double(produced) / decodeSeconds
    print(String(format: "decode %d tokens (%d per submit) at position %d: %.2f s, %.2f tok/s, %.2f GB/s", produced,
                 perSubmit, promptLength, decodeSeconds, rate, rate * Double(c.bytesPerToken ?? 0) / 1e9))

    // Short-context decode (the usual chat case).
    try backend.reset(sampling: .greedy)
    _ = try backend.runtime.prefill(Array(prompt.prefix(8)))
    start = now()
    _ = try backend.runtime.decode(steps: decodeCount)
    let shortRate = Double(decodeCount) / (now() - start)
    print(String(format: "decode %d tokens after an 8-token prompt: %.2f tok/s, %.2f GB/s", decodeCount, shortRate,
                 shortRate * Double(c.bytesPerToken ?? 0) / 1e9))
    print("command-buffer recordings: \(backend.counters.commandBufferRecordings ?? 0); last token \(last)")
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
