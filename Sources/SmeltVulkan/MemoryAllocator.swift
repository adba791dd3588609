import CVulkan
import Foundation

/// Where a buffer's memory lives.
public enum MemoryLocation: String, Sendable, Hashable {
    /// Fast for the device: weights, activations, KV cache. Mapped directly
    /// on UMA devices; elsewhere reached through staging copies.
    case device
    /// Host-visible, coherent and (where offered) cached: staging and
    /// read-back buffers. Always mapped.
    case host
}

/// Carves buffers out of a few large `VkDeviceMemory` blocks.
///
/// Drivers limit the number of allocations (often 4096) and each one is
/// slow, so buffers are sub-allocated from blocks of `Options.blockSize`
/// per memory type; a buffer larger than that gets a dedicated block of its
/// own size. Every buffer starts at a multiple of the device's storage and
/// uniform offset alignments, so any buffer (and any aligned window into
/// one) can be bound as a descriptor.
public final class MemoryAllocator {
    /// Allocator settings.
    public struct Options: Sendable {
        /// Size of a shared block. 256 MiB keeps the block count of a small
        /// model at one or two.
        public var blockSize: Int
        /// Map device-local memory that is host-visible (UMA) instead of
        /// staging through host buffers. Turning it off exercises the path a
        /// discrete GPU takes.
        public var mapDeviceMemory: Bool

        public init(blockSize: Int = 256 << 20, mapDeviceMemory: Bool = true) {
            self.blockSize = blockSize
            self.mapDeviceMemory = mapDeviceMemory
        }
    }

    /// Totals for metrics (`peak device memory`).
    public struct Statistics: Sendable, Hashable {
        public var blockCount = 0
        /// Bytes of `VkDeviceMemory` held.
        public var reservedBytes = 0
        /// Bytes handed out to live buffers (including alignment).
        public var usedBytes = 0
        public var peakUsedBytes = 0
        public var bufferCount = 0
    }

    public let device: VulkanDevice
    public let options: Options
    private let lock = NSLock()
    private var blocks: [MemoryBlock] = []
    private var nextBlockID = 0
    private var stats = Statistics()

    public init(device: VulkanDevice, options: Options = Options()) throws {
        guard options.blockSize > 0 else {
            throw VulkanError.invalidArgument("allocator block size must be positive, got \(options.blockSize)")
        }
        self.device = device
        self.options = options
    }

    /// Whether `.device` buffers are host-mapped (UMA), so uploads and
    /// read-backs are plain memory copies.
    public var mapsDeviceMemory: Bool { options.mapDeviceMemory && device.info.isUMA }

    public var statistics: Statistics {
        lock.lock()
        defer { lock.unlock() }
        return stats
    }

    /// A new buffer of `size` bytes usable as storage, uniform or uniform texel buffer and
    /// as copy source and destination. `label` names it in errors.
    public func makeBuffer(size: Int, location: MemoryLocation = .device, label: String = "") throws -> Buffer {
        let name = label.isEmpty ? "buffer" : "buffer '\(label)'"
        guard size > 0 else { throw VulkanError.invalidArgument("\(name): size must be positive, got \(size)") }

        var info = VkBufferCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO
        info.size = UInt64(size)
        info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT.rawValue | VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT.rawValue
            | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT.rawValue
            | VK_BUFFER_USAGE_TRANSFER_SRC_BIT.rawValue | VK_BUFFER_USAGE_TRANSFER_DST_BIT.rawValue
            | VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT.rawValue
        info.sharingMode = VK_SHARING_MODE_EXCLUSIVE
        var handle: VkBuffer?
        try check(vkCreateBuffer(device.handle, &info, nil, &handle), "vkCreateBuffer(\(name), \(size) bytes)")
        guard let handle else { throw VulkanError.callFailed(call: "vkCreateBuffer", result: "null handle", code: 0) }
        var bound = false
        defer { if !bound { vkDestroyBuffer(device.handle, handle, nil) } }

        var requirements = VkMemoryRequirements()
        vkGetBufferMemoryRequirements(device.handle, handle, &requirements)
        guard let (typeIndex, map) = memoryType(bits: requirements.memoryTypeBits, location: location) else {
            throw VulkanError.unsupported("\(name): no memory type suits \(location) memory "
                + "(allowed type bits 0x\(String(requirements.memoryTypeBits, radix: 16)))")
        }
        let limits = device.info.limits
        let alignment = Int(max(requirements.alignment, limits.minStorageBufferOffsetAlignment,
                                limits.minUniformBufferOffsetAlignment, 4))
        let (block, offset) = try reserve(size: Int(requirements.size), alignment: alignment,
                                          typeIndex: typeIndex, map: map, name: name)
        let result = vkBindBufferMemory(device.handle, handle, block.memory, UInt64(offset))
        if result != VK_SUCCESS {
            release(block: block, offset: offset, size: Int(requirements.size))
            try check(result, "vkBindBufferMemory(\(name))")
        }
        bound = true
        return Buffer(allocator: self, handle: handle, block: block, offset: offset,
                      reservedSize: Int(requirements.size), size: size, location: location, label: label)
    }

    /// Finds room in a block of the right type, or makes a block.
    private func reserve(size: Int, alignment: Int, typeIndex: Int, map: Bool,
                         name: String) throws -> (MemoryBlock, Int) {
        lock.lock()
        defer { lock.unlock() }
        for block in blocks where block.memoryTypeIndex == typeIndex && (block.mapped != nil) == map
            && !block.isDedicated {
            if let offset = block.freeList.allocate(size: size, alignment: alignment) {
                account(size)
                return (block, offset)
            }
        }
        let heap = device.info.memoryHeaps[device.info.memoryTypes[typeIndex].heapIndex]
        // A shared block never takes more than half a heap, so a small heap
        // (a discrete GPU's BAR) still fits other allocations.
        let sharedSize = min(options.blockSize, Int(clamping: heap.size / 2))
        let dedicated = size > sharedSize
        let blockSize = dedicated ? size : sharedSize
        let limit = device.info.limits.maxMemoryAllocationSize
        guard UInt64(blockSize) <= limit else {
            throw VulkanError.unsupported("\(name): \(size) bytes exceed the device's largest allocation (\(limit) bytes)")
        }
        let block = try MemoryBlock(device: device, id: nextBlockID, size: blockSize,
                                    memoryTypeIndex: typeIndex, map: map, isDedicated: dedicated)
        nextBlockID += 1
        guard let offset = block.freeList.allocate(size: size, alignment: alignment) else {
            throw VulkanError.invalidArgument("\(name): \(size) bytes do not fit a new \(blockSize)-byte block")
        }
        blocks.append(block)
        stats.blockCount += 1
        stats.reservedBytes += blockSize
        account(size)
        return (block, offset)
    }

    private func account(_ size: Int) {
        stats.usedBytes += size
        stats.peakUsedBytes = max(stats.peakUsedBytes, stats.usedBytes)
        stats.bufferCount += 1
    }

    /// Called by `Buffer.deinit`. Dedicated blocks go back to the driver at
    /// once; shared blocks stay for reuse until the allocator goes.
    func release(block: MemoryBlock, offset: Int, size: Int) {
        lock.lock()
        defer { lock.unlock() }
        block.freeList.release(offset: offset, size: size)
        stats.usedBytes -= size
        stats.bufferCount -= 1
        if block.isDedicated, block.freeList.isUnused, let i = blocks.firstIndex(where: { $0 === block }) {
            blocks.remove(at: i)
            stats.blockCount -= 1
            stats.reservedBytes -= block.size
        }
    }

    /// Picks a memory type index and whether to map it.
    private func memoryType(bits: UInt32, location: MemoryLocation) -> (Int, Bool)? {
        let info = device.info
        let allowed = info.memoryTypes.filter { bits & (1 << UInt32($0.index)) != 0 }
        let candidates: [PhysicalDeviceInfo.MemoryType]
        switch location {
        case .device:
            if mapsDeviceMemory {
                candidates = allowed.filter { $0.isDeviceLocal && $0.isHostVisible && $0.isHostCoherent }
                    + allowed.filter(\.isDeviceLocal)
            } else {
                // Plain VRAM first: host-visible device memory is a small BAR window on discrete GPUs.
                candidates = allowed.filter { $0.isDeviceLocal && !$0.isHostVisible }
                    + allowed.filter(\.isDeviceLocal) + allowed
            }
        case .host:
            let coherent = allowed.filter { $0.isHostVisible && $0.isHostCoherent }
            candidates = coherent.filter(\.isHostCached) + coherent
        }
        guard let type = candidates.first else { return nil }
        let map = type.isHostVisible && type.isHostCoherent && (location == .host || mapsDeviceMemory)
        return (type.index, map)
    }
}
