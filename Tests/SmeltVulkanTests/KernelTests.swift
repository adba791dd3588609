import Testing
import SmeltCodegen
import SmeltVulkan

@Suite struct KernelTests {
    /// c = a + b through generated GLSL, shaderc and the sub-allocator,
    /// with mapped (UMA) buffers and again through staging copies.
    @Test(arguments: [true, false])
    func vectorAdd(mapDeviceMemory: Bool) throws {
        try withValidatedDevice { device in
            let count = 1000
            let a = testValues(count: count, seed: 1)
            let b = testValues(count: count, seed: 2)
            let spec = KernelSpec.vectorBinaryF32(.add, workgroupSize: 64)
            let allocator = try MemoryAllocator(device: device, options: .init(mapDeviceMemory: mapDeviceMemory))
            let bufferA = try allocator.makeBuffer(size: count * 4, label: "a")
            let bufferB = try allocator.makeBuffer(size: count * 4, label: "b")
            let bufferC = try allocator.makeBuffer(size: count * 4, label: "c")
            #expect(bufferA.isMapped == mapDeviceMemory)
            try bufferA.write(a)
            try bufferB.write(b)

            let pipeline = try ComputePipeline(device: device, description: try pipelineDescription(for: spec))
            let pool = try DescriptorPool(device: device, maxSets: 1, storageBuffers: 3)
            let set = try pool.makeSet(for: pipeline)
            try set.write([0: bufferA.whole, 1: bufferB.whole, 2: bufferC.whole])

            let commands = try CommandBuffer(device: device)
            try commands.record { r in
                r.bind(pipeline)
                try r.bind(set)
                try r.pushConstants(spec.encodePushConstants(["count": .uint(UInt32(count))]))
                try r.dispatch((count + 63) / 64)
                r.barrier(mapDeviceMemory ? .computeToHost : .computeToTransfer)
            }
            try device.run(commands)

            let c = try bufferC.read(Float.self, count: count)
            // One IEEE-754 single-precision addition is exact to round on both sides.
            #expect(c == zip(a, b).map { $0 + $1 })
        }
    }

    /// y = W x with ROWS and COLS as specialization constants; sizes that
    /// are not multiples of the workgroup catch bounds mistakes.
    @Test func matvecWithSpecializationConstants() throws {
        try withValidatedDevice { device in
            let rows = 37, cols = 129
            let w = testValues(count: rows * cols, seed: 3)
            let x = testValues(count: cols, seed: 4)
            let spec = KernelSpec.matvecF32(rows: rows, cols: cols, workgroupSize: 16)
            let allocator = try MemoryAllocator(device: device)
            let bufferW = try allocator.makeBuffer(size: w.count * 4, label: "w")
            let bufferX = try allocator.makeBuffer(size: x.count * 4, label: "x")
            // Poisoned, so rows the kernel skips would show.
            let bufferY = try allocator.makeBuffer(size: (rows + 3) * 4, label: "y")
            try bufferW.write(w)
            try bufferX.write(x)
            try bufferY.write([Float](repeating: .nan, count: rows + 3))

            let pipeline = try ComputePipeline(device: device, description: try pipelineDescription(for: spec))
            let pool = try DescriptorPool(device: device, maxSets: 1, storageBuffers: 3)
            let set = try pool.makeSet(for: pipeline)
            try set.write([0: bufferW.whole, 1: bufferX.whole, 2: bufferY.whole])
            let commands = try CommandBuffer(device: device)
            try commands.record { r in
                r.bind(pipeline)
                try r.bind(set)
                try r.dispatch((rows + 15) / 16)
                r.barrier(.computeToHost)
            }
            try device.run(commands)

            let y = try bufferY.read(Float.self, count: rows + 3)
            for row in 0..<rows {
                let expected = (0..<cols).reduce(0.0) { $0 + Double(w[row * cols + $1]) * Double(x[$1]) }
                #expect(abs(Double(y[row]) - expected) <= 1e-5 * Double(cols), "row \(row)")
            }
            #expect(y[rows...].allSatisfy { $0.isNaN }, "writes past ROWS")
        }
    }

    /// The replay model: one recording, submitted many times, with all
    /// state in a device buffer (no push constants to change).
    @Test func replayedCommandBufferAccumulatesInDeviceBuffer() throws {
        try withValidatedDevice { device in
            let pipeline = try pipeline(device, name: "counter", glsl: counterKernelGLSL, storageBindings: 1)
            let allocator = try MemoryAllocator(device: device)
            let counter = try allocator.makeBuffer(size: 4, label: "counter")
            try counter.write([UInt32(0)])
            let pool = try DescriptorPool(device: device, maxSets: 1, storageBuffers: 1)
            let set = try pool.makeSet(for: pipeline)
            try set.write(binding: 0, counter.whole)

            let step = try CommandBuffer(device: device, allowsSimultaneousUse: true)
            try step.record { r in
                // Orders this replay after the previous one's write.
                r.barrier(.computeToCompute)
                r.bind(pipeline)
                try r.bind(set)
                try r.dispatch(1)
                r.barrier(.computeToHost)
            }
            for _ in 0..<10 {
                try device.run(step)
            }
            try #expect(counter.read(UInt32.self, count: 1) == [10])
            #expect(step.recordingCount == 1 && step.dispatchCount == 1)

            // Several steps in one submission.
            try device.submit([step, step, step]).wait()
            try #expect(counter.read(UInt32.self, count: 1) == [13])
        }
    }
}
