import Testing
import SmeltVulkan

@Suite struct CommandTests {
    static let writer = """
        #version 450
        layout(local_size_x = 1) in;
        layout(set = 0, binding = 0, std430) buffer B { uint v[]; };
        layout(push_constant) uniform P { uint value; } pc;
        void main() { v[0] = pc.value; }
        """

    @Test func recorderRefusesIncompleteState() throws {
        try withValidatedDevice { device in
            let p = try pipeline(device, name: "writer", glsl: Self.writer, storageBindings: 1, pushConstantBytes: 4)
            let allocator = try MemoryAllocator(device: device)
            let buffer = try allocator.makeBuffer(size: 256)
            let pool = try DescriptorPool(device: device, maxSets: 2, storageBuffers: 2)
            let set = try pool.makeSet(for: p)
            let commands = try CommandBuffer(device: device)

            #expect(throws: VulkanError.invalidArgument("dispatch without a bound pipeline")) {
                try commands.record { r in try r.dispatch(1) }
            }
            #expect(!commands.isRecorded)
            #expect(throws: VulkanError.invalidArgument(
                "descriptor set 0 of pipeline 'writer' has unwritten bindings [0]")) {
                try commands.record { r in r.bind(p); try r.bind(set) }
            }
            try set.write(binding: 0, buffer.whole)
            #expect(throws: VulkanError.invalidArgument("pipeline 'writer': push constants were not all set")) {
                try commands.record { r in r.bind(p); try r.bind(set); try r.dispatch(1) }
            }
            #expect(throws: VulkanError.self) {
                try commands.record { r in r.bind(p); try r.pushConstants([1, 2, 3, 4, 5, 6, 7, 8]) }
            }
            // An unrecorded buffer cannot be submitted.
            #expect(throws: VulkanError.self) { try device.submit(commands) }
        }
    }

    @Test func descriptorWritesCheckAlignmentAndBinding() throws {
        try withValidatedDevice { device in
            let p = try pipeline(device, name: "writer", glsl: Self.writer, storageBindings: 1, pushConstantBytes: 4)
            let buffer = try MemoryAllocator(device: device).makeBuffer(size: 4096, label: "data")
            let set = try DescriptorPool(device: device, maxSets: 1, storageBuffers: 1).makeSet(for: p)
            let alignment = Int(device.info.limits.minStorageBufferOffsetAlignment)
            if alignment > 1 {
                let error = #expect(throws: VulkanError.self) {
                    try set.write(binding: 0, buffer.range(offset: alignment / 2, size: 16))
                }
                #expect(error?.description.contains("not a multiple of the device's \(alignment)-byte alignment") == true)
            }
            #expect(throws: VulkanError.invalidArgument(
                "pipeline 'writer' set 0 binding 3: the shader declares no such binding")) {
                try set.write(binding: 3, buffer.whole)
            }
        }
    }

    @Test func copyFillAndTimestamps() throws {
        try withValidatedDevice { device in
            let allocator = try MemoryAllocator(device: device)
            let source = try allocator.makeBuffer(size: 64, label: "source")
            let destination = try allocator.makeBuffer(size: 64, label: "destination")
            let timestamps = try TimestampQueryPool(device: device, count: 2)
            let commands = try CommandBuffer(device: device)
            try commands.record { r in
                r.resetTimestamps(timestamps)
                try r.writeTimestamp(timestamps, index: 0)
                try r.fill(source.whole, with: 0xDEAD_BEEF)
                r.barrier(Barrier(from: .transfer, to: .transfer))
                try r.copy(from: source.range(offset: 0, size: 32), to: destination.range(offset: 32, size: 32))
                r.barrier(.transferToHost)
                try r.writeTimestamp(timestamps, index: 1)
            }
            try destination.write([UInt32](repeating: 0, count: 16))
            try device.run(commands)
            #expect(try destination.read(UInt32.self, count: 16)
                == Array(repeating: 0, count: 8) + Array(repeating: 0xDEAD_BEEF, count: 8))
            let times = try timestamps.nanoseconds()
            #expect(times.count == 2 && times[1] >= times[0])
        }
    }
}
