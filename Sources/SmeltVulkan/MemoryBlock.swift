import CVulkan

/// One `VkDeviceMemory` allocation that buffers are carved out of.
/// Host-visible blocks are mapped once, for their whole life.
final class MemoryBlock {
    let device: VulkanDevice
    let id: Int
    let memory: VkDeviceMemory
    let size: Int
    let memoryTypeIndex: Int
    /// Base address of the persistent mapping; nil if not mapped.
    let mapped: UnsafeMutableRawPointer?
    /// Made for one buffer larger than the standard block size; freed as
    /// soon as that buffer is.
    let isDedicated: Bool
    /// Guarded by the owning allocator's lock.
    var freeList: FreeList

    init(device: VulkanDevice, id: Int, size: Int, memoryTypeIndex: Int, map: Bool, isDedicated: Bool) throws {
        var info = VkMemoryAllocateInfo()
        info.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO
        info.allocationSize = UInt64(size)
        info.memoryTypeIndex = UInt32(memoryTypeIndex)
        var memory: VkDeviceMemory?
        try check(vkAllocateMemory(device.handle, &info, nil, &memory),
                  "vkAllocateMemory(\(size) bytes, memory type \(memoryTypeIndex))")
        guard let memory else {
            throw VulkanError.callFailed(call: "vkAllocateMemory", result: "null handle", code: 0)
        }
        var pointer: UnsafeMutableRawPointer?
        if map {
            let result = vkMapMemory(device.handle, memory, 0, vkWholeSize, 0, &pointer)
            if result != VK_SUCCESS {
                vkFreeMemory(device.handle, memory, nil)
                try check(result, "vkMapMemory(\(size) bytes)")
            }
        }
        self.device = device
        self.id = id
        self.memory = memory
        self.size = size
        self.memoryTypeIndex = memoryTypeIndex
        self.mapped = pointer
        self.isDedicated = isDedicated
        self.freeList = FreeList(capacity: size)
    }

    deinit {
        if mapped != nil { vkUnmapMemory(device.handle, memory) }
        vkFreeMemory(device.handle, memory, nil)
    }
}
