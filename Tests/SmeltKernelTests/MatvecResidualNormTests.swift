import Testing
import SmeltArtifact
import SmeltCodegen
import SmeltIR
import SmeltReference
import SmeltVulkan

/// `matvec_residual_norm` against the CPU: y = W x by CPUKernels.matmul on
/// the exactly dequantized matrix, then the residual row (post-norm, add,
/// pre-norm) by CPUKernels.rmsNorm, with several workgroups racing to be
/// the last and the dispatch replayed (each replay must find its counter
/// back at zero).
@Suite struct MatvecResidualNormTests {
    @Test(arguments: [false, true]) func matchesCPU(post: Bool) throws {
        let rows = 320, cols = 256, replays = 3
        let tensor = randomWeight(.q8_0, rows: rows, cols: cols, seed: 41)
        let x = randomVector(count: cols, seed: 1)
        let a = randomVector(count: rows, seed: 2)
        let gp = randomVector(count: rows, seed: 3).map { 1 + $0 / 2 }
        let g = randomVector(count: rows, seed: 4).map { 1 + $0 / 2 }
        let (epsPost, eps): (Float, Float) = (1e-6, 1e-5)

        let y = try reference(tensor, x: x, tokens: 1).y
        let branch = post ? try CPUKernels.rmsNorm(y, weight: gp, rows: 1, dim: rows, eps: epsPost) : y
        let s = zip(a, branch).map { $0 + $1 }
        let n = try CPUKernels.rmsNorm(s, weight: g, rows: 1, dim: rows, eps: eps)

        try withValidatedDevice { device in
            let spec = try WeightKernels.matvecResidualNormSpec(dtype: .q8_0, rows: rows, cols: cols)
            let pipeline = try ComputePipeline(device: device, description: try pipelineDescription(for: spec))
            let allocator = try MemoryAllocator(device: device)
            let packed = try packWeight(tensor, for: .rowPerInvocation)
            func buffer(_ values: [Float], _ label: String) throws -> Buffer {
                let b = try allocator.makeBuffer(size: values.count * 4, label: label)
                try b.write(values)
                return b
            }
            let w = try allocator.makeBuffer(size: packed.bytes.count, label: "w")
            try w.write(packed.bytes)
            let control = try allocator.makeBuffer(size: ControlBlock.wordCount * 4, label: "control")
            try control.write([UInt32](repeating: 0, count: ControlBlock.wordCount))
            let counter = try allocator.makeBuffer(size: 4, label: "counter")
            try counter.write([UInt32(0)])
            let nan = [Float](repeating: .nan, count: rows)
            let outputs = try [buffer(nan, "y"), buffer(nan, "s"), buffer(nan, "n")]
            let inputs = try [buffer(x, "x"), buffer(a, "a"), buffer(gp, "gp"), buffer(g, "g")]
            let pool = try DescriptorPool(device: device, maxSets: 1, storageBuffers: 9, uniformTexelBuffers: 1)
            let set = try pool.makeSet(for: pipeline)
            try set.write([0: w.whole, 1: inputs[0].whole, 2: outputs[0].whole, 3: control.whole,
                           4: inputs[1].whole, 5: inputs[2].whole, 6: inputs[3].whole,
                           7: outputs[1].whole, 8: outputs[2].whole, 9: counter.whole])
            let push = try spec.encodePushConstants([
                "rowOffset": .uint(0), "rowCount": .uint(UInt32(rows)), "hasPost": .uint(post ? 1 : 0),
                "epsPost": .float(epsPost), "eps": .float(eps),
            ])
            let commands = try CommandBuffer(device: device)
            try commands.record { r in
                r.bind(pipeline)
                try r.bind(set)
                try r.pushConstants(push)
                for replay in 0..<replays {
                    if replay > 0 { r.barrier(.computeToCompute) }
                    try r.dispatch(WeightKernels.workgroupCounts(for: spec, rowCount: rows).0, 1, 1)
                }
                r.barrier(.computeToHost)
            }
            try device.run(commands)
            let results = try outputs.map { try $0.read(Float.self, count: rows) }
            for (name, got, want) in [("y", results[0], y), ("s", results[1], s), ("n", results[2], n)] {
                let diff = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
                #expect(diff <= 1e-4, "\(name): max |vulkan - cpu| = \(diff)")
            }
            #expect(try counter.read(UInt32.self, count: 1) == [0], "the last workgroup resets the counter")
        }
    }
}
