import Testing
import SmeltVulkan

@Suite struct AllocatorTests {
    @Test func smallBuffersShareOneBlockAtAlignedDisjointOffsets() throws {
        try withValidatedDevice { device in
            let allocator = try MemoryAllocator(device: device)
            let sizes = [1, 3, 4, 100, 257, 1000, 4096, 5, 64, 12345] + Array(repeating: 17, count: 90)
            let buffers = try sizes.enumerated().map { i, size in
                try allocator.makeBuffer(size: size, label: "small \(i)")
            }
            #expect(Set(buffers.map(\.memoryBlockID)).count == 1, "one VkDeviceMemory for all")
            let limits = device.info.limits
            let alignment = Int(max(limits.minStorageBufferOffsetAlignment, limits.minUniformBufferOffsetAlignment))
            for buffer in buffers {
                #expect(buffer.memoryOffset % alignment == 0, "\(buffer.label) at \(buffer.memoryOffset)")
            }
            let spans = buffers.map { ($0.memoryOffset, $0.memoryOffset + $0.size) }.sorted { $0.0 < $1.0 }
            for (a, b) in zip(spans, spans.dropFirst()) {
                #expect(a.1 <= b.0, "buffers overlap: \(a) and \(b)")
            }
            let stats = allocator.statistics
            #expect(stats.blockCount == 1 && stats.bufferCount == sizes.count)
            #expect(stats.usedBytes >= sizes.reduce(0, +))

            // Each buffer holds its own bytes (mapped memory on lavapipe).
            for (i, buffer) in buffers.enumerated() {
                try buffer.write([UInt8](repeating: UInt8(i & 0xFF), count: buffer.size))
            }
            for (i, buffer) in buffers.enumerated() {
                #expect(try buffer.read(UInt8.self, count: buffer.size).allSatisfy { $0 == UInt8(i & 0xFF) })
            }
        }
    }

    @Test func freedSpaceIsReusedAndDedicatedBlocksReturned() throws {
        try withValidatedDevice { device in
            let allocator = try MemoryAllocator(device: device, options: .init(blockSize: 1 << 20))
            var first: Buffer? = try allocator.makeBuffer(size: 4096)
            let offset = first!.memoryOffset
            first = nil
            let second = try allocator.makeBuffer(size: 4096)
            #expect(second.memoryOffset == offset, "first fit reuses the freed range")

            var big: Buffer? = try allocator.makeBuffer(size: 3 << 20, label: "bigger than a block")
            #expect(big!.memoryBlockID != second.memoryBlockID)
            #expect(allocator.statistics.blockCount == 2)
            big = nil
            #expect(allocator.statistics.blockCount == 1, "a dedicated block goes back when its buffer does")
            #expect(allocator.statistics.peakUsedBytes >= 3 << 20)
        }
    }

    @Test func rejectsBadSizesAndRanges() throws {
        try withValidatedDevice { device in
            let allocator = try MemoryAllocator(device: device)
            #expect(throws: VulkanError.invalidArgument("buffer 'empty': size must be positive, got 0")) {
                try allocator.makeBuffer(size: 0, label: "empty")
            }
            let buffer = try allocator.makeBuffer(size: 16, label: "small")
            #expect(throws: VulkanError.invalidArgument("buffer 'small': bytes 8..<24 are outside its 16 bytes")) {
                try buffer.write([UInt64](repeating: 0, count: 2), at: 8)
            }
            #expect(throws: VulkanError.self) { try buffer.range(offset: -4, size: 4) }
        }
    }

    /// A buffer larger than maxStorageBufferRange is reached through
    /// windows, each bound as its own descriptor; the kernel reads the first
    /// and last word its binding covers (`length()` is the window's).
    @Test func bufferLargerThanMaxStorageRangeIsReachedInWindows() throws {
        try withValidatedDevice { device in
            let limits = device.info.limits
            // lavapipe's range is 128 MiB; a device with a huge one (discrete
            // GPUs: 4 GiB) takes the same path with 64 MiB windows instead of
            // allocating gigabytes.
            let range = limits.maxStorageBufferRange <= 256 << 20 ? Int(limits.maxStorageBufferRange) : 64 << 20
            let alignment = Int(limits.minStorageBufferOffsetAlignment)
            let windowSize = range / alignment * alignment
            let size = windowSize + 64 * 1024
            let allocator = try MemoryAllocator(device: device)
            let big = try allocator.makeBuffer(size: size, label: "big")
            if UInt64(windowSize) == limits.maxStorageBufferRange {
                #expect(UInt64(big.size) > limits.maxStorageBufferRange)
            }
            let windows = try big.windows(ofSize: windowSize)
            #expect(windows.map(\.offset) == [0, windowSize])
            #expect(windows.map(\.size) == [windowSize, 64 * 1024])

            // Marker words at each window's first and last position.
            func marker(_ byteOffset: Int) -> UInt32 { UInt32(truncatingIfNeeded: byteOffset / 4) ^ 0xA5A5_0000 }
            let probes = windows.flatMap { [$0.offset, $0.offset + $0.size - 4] }
            for p in probes { try big.write([marker(p)], at: p) }

            let glsl = """
                #version 450
                layout(local_size_x = 1) in;
                layout(set = 0, binding = 0, std430) readonly buffer Window { uint data[]; };
                layout(set = 0, binding = 1, std430) buffer Out { uint result[]; };
                layout(push_constant) uniform Slot { uint slot; } pc;
                void main() {
                    result[2u * pc.slot] = data[0];
                    result[2u * pc.slot + 1u] = data[data.length() - 1];
                }
                """
            let probe = try pipeline(device, name: "window_probe", glsl: glsl, storageBindings: 2, pushConstantBytes: 4)
            let out = try allocator.makeBuffer(size: 4 * probes.count, label: "out")
            let pool = try DescriptorPool(device: device, maxSets: windows.count, storageBuffers: 2 * windows.count)
            let sets = try windows.map { window in
                let set = try pool.makeSet(for: probe)
                try set.write([0: window, 1: out.whole])
                return set
            }
            let commands = try CommandBuffer(device: device)
            try commands.record { r in
                r.bind(probe)
                for (slot, set) in sets.enumerated() {
                    try r.bind(set)
                    try r.pushConstants(withUnsafeBytes(of: UInt32(slot).littleEndian) { Array($0) })
                    try r.dispatch(1)
                }
                r.barrier(.computeToHost)
            }
            try device.run(commands)
            try #expect(out.read(UInt32.self, count: probes.count) == probes.map(marker))

            // The whole buffer cannot be one binding when it exceeds the limit.
            if UInt64(big.size) > limits.maxStorageBufferRange {
                #expect(throws: VulkanError.self) { try sets[0].write(binding: 0, big.whole) }
            }
        }
    }
}
