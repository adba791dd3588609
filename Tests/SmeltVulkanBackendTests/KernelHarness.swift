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
