import Testing
import SmeltCodegen
import SmeltModels
import SmeltReference
import SmeltVulkan
import SmeltArtifact

/// Runs `body` on a device opened with the validation layers and
/// synchronization validation, then fails the test on any message.
func withValidatedDevice(_ body: (VulkanDevice) throws -> Void) throws {
    let instance = try VulkanInstance(.init(validation: true, synchronizationValidation: true,
                                            applicationName: "smelt-kernel-tests"))
    try openAndRun(instance, body)
    let messages = instance.validationMessages
    #expect(messages.isEmpty, "validation layers reported:\n\(messages.map(\.description).joined(separator: "\n"))")
}

private func openAndRun(_ instance: VulkanInstance, _ body: (VulkanDevice) throws -> Void) throws {
    try body(try VulkanDevice(instance: instance))
}

/// Compiles `spec` and states its interface the way the runtime will.
func pipelineDescription(for spec: KernelSpec) throws -> ComputePipelineDescription {
    let spirv = try ShaderCompiler().compile(try KernelGenerator.glsl(for: spec, library: .runtime), name: spec.name)
    return ComputePipelineDescription(
        name: spec.name, spirv: spirv,
        bindings: spec.bindings.map {
            .init(set: $0.set, binding: $0.binding, kind: $0.kind == .texel ? .uniformTexelBuffer
                  : $0.kind == .uniform ? .uniformBuffer : .storageBuffer)
        },
        pushConstantBytes: spec.pushConstantBytes,
        specialization: spec.specializationValues)
}

/// One weight kernel run: `packed` uploaded once and bound window by
/// window (each window its own descriptor set and dispatch), x of
/// `maxTokens` rows, control.count = `count`, y starting as `yInitial`.
func runWeightKernel(
    _ device: VulkanDevice, spec: KernelSpec, pipeline: ComputePipeline? = nil, packed: PackedWeight, windows: [Range<Int>],
    x: [Float], count: Int, maxTokens: Int, yInitial: [Float], pushedRows: Int? = nil
) throws -> [Float] {
    let allocator = try MemoryAllocator(device: device)
    let w = try allocator.makeBuffer(size: packed.bytes.count, label: "w")
    let xb = try allocator.makeBuffer(size: x.count * 4, label: "x")
    let y = try allocator.makeBuffer(size: yInitial.count * 4, label: "y")
    let control = try allocator.makeBuffer(size: ControlBlock.wordCount * 4, label: "control")
    try w.write(packed.bytes)
    try xb.write(x)
    try y.write(yInitial)
    var words = [UInt32](repeating: 0, count: ControlBlock.wordCount)
    words[ControlBlock.count] = UInt32(count)
    try control.write(words)

    let pipeline = try pipeline ?? ComputePipeline(device: device, description: try pipelineDescription(for: spec))
    // A matmul (x bound as a uniform buffer) runs one dispatch per tile of
    // tokens with that tile's rows of x; a matvec one dispatch.
    let tiled = WeightKernels.bindsXTiles(spec)
    let tiles = tiled ? WeightKernels.tileCount(for: spec, maxTokens: maxTokens) : 1
    let tileBytes = WeightKernels.tileBytes(for: spec)
    let jobs = (0..<tiles).flatMap { tile in windows.map { (tile, $0) } }
    let pool = try DescriptorPool(device: device, maxSets: jobs.count, storageBuffers: 3 * jobs.count,
                                  uniformBuffers: jobs.count, uniformTexelBuffers: jobs.count)
    let sets = try jobs.map { tile, rows in
        let set = try pool.makeSet(for: pipeline)
        try set.write([
            0: try w.range(offset: rows.lowerBound * packed.rowStride, size: rows.count * packed.rowStride),
            1: tiled ? try xb.range(offset: tile * tileBytes, size: tileBytes) : xb.whole,
            2: y.whole, 3: control.whole,
        ])
        return set
    }
    let commands = try CommandBuffer(device: device)
    try commands.record { r in
        r.bind(pipeline)
        for ((tile, rows), set) in zip(jobs, sets) {
            try r.bind(set)
            var push: [String: ScalarValue] = [
                "rowOffset": .uint(UInt32(rows.lowerBound)), "rowCount": .uint(UInt32(pushedRows ?? rows.count)),
            ]
            if tiled { push["tile"] = .uint(UInt32(tile)) }
            try r.pushConstants(spec.encodePushConstants(push))
            let groups = WeightKernels.workgroupCounts(for: spec, rowCount: pushedRows ?? rows.count)
            try r.dispatch(groups.0, groups.1, groups.2)
        }
        r.barrier(.computeToHost)
    }
    try device.run(commands)
    return try y.read(Float.self, count: yInitial.count)
}

/// The oracle: SmeltModels' CPU dequantization, then CPUKernels.matmul, plus
/// Σ|w·x| per output for the error bound.
func reference(_ tensor: WeightTensor, x: [Float], tokens: Int) throws -> (y: [Float], magnitude: [Float]) {
    let w = try tensor.dequantized()
    let rows = tensor.rowCount, cols = tensor.rowLength
    let y = try CPUKernels.matmul(Array(x[0..<(tokens * cols)]), w, tokens: tokens, inFeatures: cols, outFeatures: rows)
    let magnitude = try CPUKernels.matmul(Array(x[0..<(tokens * cols)]).map(abs), w.map(abs),
                                          tokens: tokens, inFeatures: cols, outFeatures: rows)
    return (y, magnitude)
}

/// Both sides sum `cols` f32 products in different orders; each is within
/// cols·2⁻²⁴·Σ|w·x| of the exact sum (the standard γ_n bound), so they
/// differ by at most twice that.
func tolerance(cols: Int, magnitude: Float) -> Float {
    2 * Float(cols) * 0x1p-24 * magnitude + 1e-30
}
