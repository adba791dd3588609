import CVulkan
import Foundation

/// A device buffer sub-allocated from a `MemoryAllocator` block. Usable as
/// storage, uniform, copy source/destination and indirect-argument buffer.
///
/// Host access: mapped buffers (`.host`, and `.device` on UMA) are plain
/// memory at `hostPointer`; `write`/`read` copy directly when mapped and go
/// through a staging buffer otherwise. Either way the caller must not touch
/// a buffer the device is still using (wait for the submission first).
public final class Buffer {
    public let allocator: MemoryAllocator
    /// Usable bytes (the reservation may be larger).
    public let size: Int
    public let location: MemoryLocation
    /// Names the buffer in error messages.
    public let label: String
    /// Which allocator block holds the buffer; equal ids share one
    /// `VkDeviceMemory`.
    public var memoryBlockID: Int { block.id }
    /// Byte offset of the buffer inside its block.
    public let memoryOffset: Int

    let handle: VkBuffer
    let block: MemoryBlock
    private let reservedSize: Int

    init(allocator: MemoryAllocator, handle: VkBuffer, block: MemoryBlock, offset: Int,
         reservedSize: Int, size: Int, location: MemoryLocation, label: String) {
        self.allocator = allocator
        self.handle = handle
        self.block = block
        self.memoryOffset = offset
        self.reservedSize = reservedSize
        self.size = size
        self.location = location
        self.label = label
    }

    deinit {
        vkDestroyBuffer(allocator.device.handle, handle, nil)
        allocator.release(block: block, offset: memoryOffset, size: reservedSize)
    }

    public var device: VulkanDevice { allocator.device }

    /// The buffer's bytes in host memory, when mapped; nil otherwise.
    public var hostPointer: UnsafeMutableRawPointer? { block.mapped.map { $0 + memoryOffset } }

    public var isMapped: Bool { block.mapped != nil }

    var name: String { label.isEmpty ? "buffer" : "buffer '\(label)'" }

    /// The whole buffer as a range.
    public var whole: BufferRange { BufferRange(buffer: self, offset: 0, size: size) }

    /// `size` bytes from `offset`; throws if that leaves the buffer.
    public func range(offset: Int, size: Int) throws -> BufferRange {
        try checkBounds(offset: offset, count: size)
        return BufferRange(buffer: self, offset: offset, size: size)
    }

    /// Consecutive windows of `windowSize` bytes covering the buffer (the
    /// last one shorter), each bindable as a storage buffer: how a tensor
    /// larger than `maxStorageBufferRange` is reached.
    public func windows(ofSize windowSize: Int) throws -> [BufferRange] {
        let limits = device.info.limits
        guard windowSize > 0, UInt64(windowSize) <= limits.maxStorageBufferRange,
              windowSize % Int(limits.minStorageBufferOffsetAlignment) == 0 else {
            throw VulkanError.invalidArgument(
                "\(name): window size \(windowSize) must be positive, at most maxStorageBufferRange "
                    + "(\(limits.maxStorageBufferRange)) and a multiple of minStorageBufferOffsetAlignment "
                    + "(\(limits.minStorageBufferOffsetAlignment))")
        }
        return stride(from: 0, to: size, by: windowSize).map {
            BufferRange(buffer: self, offset: $0, size: min(windowSize, size - $0))
        }
    }

    /// Copies `bytes` into the buffer at `offset`.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) throws {
        try checkBounds(offset: offset, count: bytes.count)
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        if let host = hostPointer {
            (host + offset).copyMemory(from: base, byteCount: bytes.count)
        } else {
            try allocator.stagedWrite(bytes, to: self, at: offset)
        }
    }

    /// Copies `values` into the buffer at byte `offset`.
    public func write<T: BitwiseCopyable>(_ values: [T], at offset: Int = 0) throws {
        try values.withUnsafeBytes { try write($0, at: offset) }
    }

    /// Copies `destination.count` bytes from `offset` into `destination`.
    public func read(into destination: UnsafeMutableRawBufferPointer, from offset: Int = 0) throws {
        try checkBounds(offset: offset, count: destination.count)
        guard let base = destination.baseAddress, destination.count > 0 else { return }
        if let host = hostPointer {
            base.copyMemory(from: host + offset, byteCount: destination.count)
        } else {
            try allocator.stagedRead(into: destination, from: self, at: offset)
        }
    }

    /// `count` values of `T` starting at byte `offset`.
    public func read<T: BitwiseCopyable>(_ type: T.Type, count: Int, from offset: Int = 0) throws -> [T] {
        guard count >= 0 else { throw VulkanError.invalidArgument("\(name): negative read count \(count)") }
        var values = [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        try values.withUnsafeMutableBytes { try read(into: $0, from: offset) }
        return values
    }

    private func checkBounds(offset: Int, count: Int) throws {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw VulkanError.invalidArgument(
                "\(name): bytes \(offset)..<\(offset + count) are outside its \(size) bytes")
        }
    }
}

/// A byte range of a buffer: what descriptors bind and copies read or write.
public struct BufferRange: CustomStringConvertible {
    public let buffer: Buffer
    public let offset: Int
    public let size: Int

    public var description: String { "\(buffer.name) bytes \(offset)..<\(offset + size)" }
}
