import SmeltArtifact
import SmeltCodegen
import SmeltVulkan

/// Runs one generated kernel through `VulkanRuntime` with a hand-made plan:
/// buffer 0 is the control block, the rest are given as raw 32-bit words.
func runKernel(_ device: VulkanDevice, _ spec: KernelSpec, control: [UInt32], buffers: [[UInt32]],
               bindings: [Int], push: [UInt32], groups: Int, groupsY: Int = 1, replays: Int = 1) throws -> [[UInt32]] {
    let spirv = try ShaderCompiler().compile(try KernelGenerator.glsl(for: spec, library: .runtime), name: spec.name)
    let kernel = PlannedKernel(spec: spec, spirv: spirv)
    let sizes = [ControlBlock.wordCount * 4] + buffers.map { max(4, $0.count * 4) }
    let planned = sizes.enumerated().map { PlannedBuffer(name: "b\($0.offset)", role: .activation, byteSize: $0.element) }
    let dispatch = PlannedDispatch(kernel: 0, bindings: bindings.map { BufferSlice(buffer: $0, offset: 0, size: sizes[$0]) },
                                   pushConstants: push, groups: [groups, groupsY, 1], label: spec.name, bytesMoved: 0)
    let plan = ExecutionPlan(modelName: "kernel-test", vocabularySize: 1, contextLength: 1, prefillChunk: 1,
                             kernels: [kernel], buffers: planned, decode: [.dispatch(dispatch)], prefill: [],
                             controlBuffer: 0, tokensBuffer: 0, logitsBuffer: 0, outputBuffer: 0)
    let runtime = try [UInt8]().withUnsafeBytes { try VulkanRuntime(plan: plan, weights: $0, device: device) }
    try runtime.buffer(0).write(control + [UInt32](repeating: 0, count: ControlBlock.wordCount - control.count))
    for (i, words) in buffers.enumerated() where !words.isEmpty { try runtime.buffer(i + 1).write(words) }
    try runtime.replayDecode(times: replays)
    return try (0 ... buffers.count).map { try runtime.buffer($0).read(UInt32.self, count: sizes[$0] / 4) }
}

extension Array where Element == Float {
    var words: [UInt32] { map(\.bitPattern) }
}

extension Array where Element == UInt32 {
    var floats: [Float] { map { Float(bitPattern: $0) } }
}

/// f16 pairs of `values` packed two per word, low half first.
func halfWords(_ values: [Float]) -> [UInt32] {
    stride(from: 0, to: values.count, by: 2).map {
        UInt32(Float16(values[$0]).bitPattern) | UInt32(Float16(values[$0 + 1]).bitPattern) << 16
    }
}

/// Values as f16 would round them.
func roundedToHalf(_ values: [Float]) -> [Float] { values.map { Float(Float16($0)) } }

/// Deterministic values in [-1, 1) (a 64-bit LCG).
func testValues(count: Int, seed: UInt64) -> [Float] {
    var state = seed
    return (0 ..< count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
    }
}

/// A KV cache's device words for `laid` (floats in the cache's element
/// order), stored as `element` (the format `KVCacheElement` documents):
/// f32 words, f16 pairs, or q8_0 bytes then scales (`amax · (1/127)`,
/// quants rounded to nearest even), padded to 16 bytes.
func cacheWords(_ laid: [Float], _ element: KVCacheElement) -> [UInt32] {
    switch element {
    case .f32: return laid.words
    case .f16: return halfWords(laid)
    case .q8_0:
        var bytes = [UInt8](), scales = [UInt32]()
        for start in stride(from: 0, to: laid.count, by: 32) {
            let block = laid[start ..< start + 32]
            let amax = block.reduce(Float(0)) { max($0, abs($1)) }
            scales.append((amax * (1 / 127)).bitPattern)
            bytes += block.map { UInt8(bitPattern: Int8(amax > 0 ? ($0 * (127 / amax)).rounded(.toNearestOrEven) : 0)) }
        }
        let quants = stride(from: 0, to: bytes.count, by: 4).map { i in
            (0 ..< 4).reduce(UInt32(0)) { $0 | UInt32(bytes[i + $1]) << (8 * $1) }
        }
        let words = quants + scales
        return words + [UInt32](repeating: 0, count: element.cacheBytes(elements: laid.count) / 4 - words.count)
    }
}

/// The floats a cache of `count` elements holds (inverse of `cacheWords`).
func cacheValues(_ words: [UInt32], _ element: KVCacheElement, count: Int) -> [Float] {
    switch element {
    case .f32: return Array(words.floats.prefix(count))
    case .f16:
        return words.prefix(count / 2).flatMap { [Float(Float16(bitPattern: UInt16($0 & 0xFFFF))),
                                                  Float(Float16(bitPattern: UInt16($0 >> 16)))] }
    case .q8_0:
        return (0 ..< count).map { i in
            let byte = Int8(bitPattern: UInt8((words[i / 4] >> (8 * UInt32(i % 4))) & 0xFF))
            return Float(byte) * Float(bitPattern: words[count / 4 + i / 32])
        }
    }
}
