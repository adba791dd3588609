import Foundation
import SmeltCodegen
import SmeltIR
import SmeltModels
import SmeltVulkan

/// Times one packed weight's decode matvec on the device: the matrix is
/// bound as texel-buffer windows of at most maxTexelBufferElements texels
/// (one window on lavapipe), and one command
/// buffer holding `repeats` matvecs (with the barriers a plan would have
/// between them) is replayed; GPU timestamps bracket the replays.
struct MatvecTimer {
    let device: VulkanDevice
    let allocator: MemoryAllocator
    let compiler: ShaderCompiler

    struct Result {
        var name: String
        var weightBytes: Int
        var windows: Int
        /// Median seconds per matvec over the replays.
        var seconds: Double
        var gigabytesPerSecond: Double { Double(weightBytes) / seconds / 1e9 }
    }

    func time(_ tensor: WeightTensor, repeats: Int, replays: Int) throws -> Result {
        let rows = tensor.rowCount, cols = tensor.rowLength
        let packed = try packWeight(tensor, for: .rowPerInvocation)
        let limits = device.info.limits
        let windows = try packed.rowWindows(maxBytes: Int(min(limits.maxTexelBufferElements * 16, 1 << 31)),
                                            offsetAlignment: Int(limits.minTexelBufferOffsetAlignment))
        let spec = try WeightKernels.matvecSpec(dtype: tensor.dtype, rows: rows, cols: cols)
        let w = try allocator.makeBuffer(size: packed.bytes.count, label: tensor.name)
        try packed.bytes.withUnsafeBytes { try w.write($0) }
        let x = try allocator.makeBuffer(size: cols * 4, label: "x")
        try x.write((0..<cols).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 })
        let y = try allocator.makeBuffer(size: rows * 4, label: "y")
        let control = try allocator.makeBuffer(size: 32, label: "control")
        try control.write([UInt32](repeating: 1, count: 8))

        var glsl = try KernelGenerator.glsl(for: spec)
        // Experiments: MATVEC_BENCH_GLSL=dir writes each kernel's GLSL
        // there, or reads it back if the file already exists.
        if let dir = ProcessInfo.processInfo.environment["MATVEC_BENCH_GLSL"] {
            let file = "\(dir)/\(spec.name).comp"
            if let text = try? String(contentsOfFile: file, encoding: .utf8) { glsl = text }
            else { try glsl.write(toFile: file, atomically: true, encoding: .utf8) }
        }
        let spirv = try compiler.compile(glsl, name: spec.name)
        let pipeline = try ComputePipeline(device: device, description: .init(
            name: spec.name, spirv: spirv, bindings: (0..<4).map { .init(binding: $0, kind: $0 == 0 ? .uniformTexelBuffer : .storageBuffer) },
            pushConstantBytes: spec.pushConstantBytes,
            specialization: spec.specializationValues))
        let pool = try DescriptorPool(device: device, maxSets: windows.count, storageBuffers: 3 * windows.count, uniformTexelBuffers: windows.count)
        let sets = try windows.map { window in
            let set = try pool.makeSet(for: pipeline)
            try set.write([
                0: try w.range(offset: window.lowerBound * packed.rowStride, size: window.count * packed.rowStride),
                1: x.whole, 2: y.whole, 3: control.whole,
            ])
            return set
        }
        let timestamps = try TimestampQueryPool(device: device, count: 2)
        let commands = try CommandBuffer(device: device)
        try commands.record { r in
            r.resetTimestamps(timestamps)
            try r.writeTimestamp(timestamps, index: 0)
            r.bind(pipeline)
            for _ in 0..<repeats {
                r.barrier(.computeToCompute)
                for (window, set) in zip(windows, sets) {
                    try r.bind(set)
                    try r.pushConstants(spec.encodePushConstants([
                        "rowOffset": .uint(UInt32(window.lowerBound)), "rowCount": .uint(UInt32(window.count)),
                    ]))
                    let g = WeightKernels.workgroupCounts(for: spec, rowCount: window.count)
                    try r.dispatch(g.0, g.1, g.2)
                }
            }
            try r.writeTimestamp(timestamps, index: 1)
        }
        try device.run(commands)  // warm-up: first-use costs stay out of the figures
        var samples: [Double] = []
        for _ in 0..<replays {
            try device.run(commands)
            let t = try timestamps.nanoseconds()
            samples.append((t[1] - t[0]) / 1e9 / Double(repeats))
        }
        samples.sort()
        return Result(name: "\(tensor.dtype) \(rows)×\(cols)", weightBytes: tensor.bytes.count,
                      windows: windows.count, seconds: samples[samples.count / 2])
    }
}
