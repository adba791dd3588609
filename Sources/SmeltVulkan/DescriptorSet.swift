import CVulkan

/// A pool descriptor sets are allocated from. Size it for the whole model
/// (sets × buffers); sets go back to the pool when released.
public final class DescriptorPool {
    public let device: VulkanDevice
    public let maxSets: Int
    let handle: VkDescriptorPool

    public init(device: VulkanDevice, maxSets: Int, storageBuffers: Int, uniformBuffers: Int = 0,
                uniformTexelBuffers: Int = 0) throws {
        let counts = [storageBuffers, uniformBuffers, uniformTexelBuffers]
        guard maxSets > 0, counts.allSatisfy({ $0 >= 0 }), counts.reduce(0, +) > 0 else {
            throw VulkanError.invalidArgument("descriptor pool needs positive maxSets (\(maxSets)) and "
                + "descriptor counts (\(storageBuffers) storage, \(uniformBuffers) uniform, "
                + "\(uniformTexelBuffers) uniform texel)")
        }
        let arena = CArena()
        defer { arena.release() }
        var sizes: [VkDescriptorPoolSize] = []
        if storageBuffers > 0 {
            sizes.append(VkDescriptorPoolSize(type: VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, descriptorCount: UInt32(storageBuffers)))
        }
        if uniformBuffers > 0 {
            sizes.append(VkDescriptorPoolSize(type: VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, descriptorCount: UInt32(uniformBuffers)))
        }
        if uniformTexelBuffers > 0 {
            sizes.append(VkDescriptorPoolSize(type: VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER,
                                              descriptorCount: UInt32(uniformTexelBuffers)))
        }
        var info = VkDescriptorPoolCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO
        info.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT.rawValue
        info.maxSets = UInt32(maxSets)
        info.poolSizeCount = UInt32(sizes.count)
        info.pPoolSizes = UnsafePointer(arena.array(sizes))
        var pool: VkDescriptorPool?
        try check(vkCreateDescriptorPool(device.handle, &info, nil, &pool), "vkCreateDescriptorPool")
        self.device = device
        self.maxSets = maxSets
        self.handle = pool!
    }

    deinit {
        vkDestroyDescriptorPool(device.handle, handle, nil)
    }

    /// A new descriptor set for set index `set` of `pipeline`; also usable
    /// with pipelines of the same layout.
    public func makeSet(for pipeline: ComputePipeline, set: Int = 0) throws -> DescriptorSet {
        guard pipeline.device === device else {
            throw VulkanError.invalidArgument("pipeline '\(pipeline.name)' belongs to another device than the pool")
        }
        guard pipeline.setIndices.contains(set) else {
            throw VulkanError.invalidArgument("pipeline '\(pipeline.name)' declares no bindings in set \(set)")
        }
        var layout: VkDescriptorSetLayout? = pipeline.setLayouts[set]
        var info = VkDescriptorSetAllocateInfo()
        info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO
        info.descriptorPool = handle
        info.descriptorSetCount = 1
        var handle: VkDescriptorSet?
        try withUnsafePointer(to: &layout) { layoutPointer in
            info.pSetLayouts = layoutPointer
            try check(vkAllocateDescriptorSets(device.handle, &info, &handle),
                      "vkAllocateDescriptorSets(pipeline '\(pipeline.name)', set \(set))")
        }
        return DescriptorSet(pool: self, pipeline: pipeline, setIndex: set, handle: handle!)
    }
}

/// Buffer bindings for one set index of a pipeline. Write every binding
/// before recording commands that bind the set; writing again afterwards
/// invalidates those recordings. Keeps the bound buffers alive.
public final class DescriptorSet {
    public let pool: DescriptorPool
    public let pipeline: ComputePipeline
    public let setIndex: Int
    let handle: VkDescriptorSet
    /// Binding number → what it is bound to.
    public private(set) var ranges: [Int: BufferRange] = [:]
    /// Binding number → the view a texel-buffer binding reads through.
    private var views: [Int: VkBufferView] = [:]

    init(pool: DescriptorPool, pipeline: ComputePipeline, setIndex: Int, handle: VkDescriptorSet) {
        self.pool = pool
        self.pipeline = pipeline
        self.setIndex = setIndex
        self.handle = handle
    }

    deinit {
        var set: VkDescriptorSet? = handle
        _ = vkFreeDescriptorSets(pool.device.handle, pool.handle, 1, &set)
        for view in views.values { vkDestroyBufferView(pool.device.handle, view, nil) }
    }

    /// Bindings the pipeline declares in this set that are not written yet.
    public var unwrittenBindings: [Int] {
        pipeline.bindings(inSet: setIndex).map(\.binding).filter { ranges[$0] == nil }.sorted()
    }

    /// Points `binding` at `range`, which must be aligned to the device's
    /// minimum offset alignment and no larger than its maximum range (bind
    /// a window of a larger buffer, see `Buffer.windows(ofSize:)`).
    public func write(binding: Int, _ range: BufferRange) throws {
        let context = "pipeline '\(pipeline.name)' set \(setIndex) binding \(binding)"
        guard let declared = pipeline.bindings(inSet: setIndex).first(where: { $0.binding == binding }) else {
            throw VulkanError.invalidArgument("\(context): the shader declares no such binding")
        }
        guard range.buffer.device === pool.device else {
            throw VulkanError.invalidArgument("\(context): \(range) belongs to another device")
        }
        let limits = pool.device.info.limits
        let (alignment, maxRange): (UInt64, UInt64) = switch declared.kind {
        case .storageBuffer: (limits.minStorageBufferOffsetAlignment, limits.maxStorageBufferRange)
        case .uniformBuffer: (limits.minUniformBufferOffsetAlignment, limits.maxUniformBufferRange)
        case .uniformTexelBuffer: (limits.minTexelBufferOffsetAlignment,
                                   limits.maxTexelBufferElements * UInt64(Self.texelBytes))
        }
        guard range.size > 0, UInt64(range.size) <= maxRange else {
            throw VulkanError.invalidArgument("\(context): \(range) is \(range.size) bytes; a \(declared.kind) "
                + "binding covers 1...\(maxRange) bytes (bind windows of a larger buffer)")
        }
        guard UInt64(range.offset) % alignment == 0 else {
            throw VulkanError.invalidArgument("\(context): \(range) starts at offset \(range.offset), "
                + "not a multiple of the device's \(alignment)-byte alignment")
        }
        var write = VkWriteDescriptorSet()
        write.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET
        write.dstSet = handle
        write.dstBinding = UInt32(binding)
        write.descriptorCount = 1
        write.descriptorType = declared.kind.vulkanType
        if declared.kind == .uniformTexelBuffer {
            guard range.size % Self.texelBytes == 0 else {
                throw VulkanError.invalidArgument("\(context): \(range) is not a whole number of "
                    + "\(Self.texelBytes)-byte texels")
            }
            var view: VkBufferView? = try makeView(range, context: context)
            if let old = views[binding] { vkDestroyBufferView(pool.device.handle, old, nil) }
            views[binding] = view
            withUnsafePointer(to: &view) { viewPointer in
                write.pTexelBufferView = viewPointer
                vkUpdateDescriptorSets(pool.device.handle, 1, &write, 0, nil)
            }
        } else {
            var info = VkDescriptorBufferInfo(buffer: range.buffer.handle, offset: UInt64(range.offset),
                                              range: UInt64(range.size))
            withUnsafePointer(to: &info) { infoPointer in
                write.pBufferInfo = infoPointer
                vkUpdateDescriptorSets(pool.device.handle, 1, &write, 0, nil)
            }
        }
        ranges[binding] = range
    }

    /// Bytes per texel of a texel-buffer binding (R32G32B32A32_UINT).
    public static let texelBytes = 16

    private func makeView(_ range: BufferRange, context: String) throws -> VkBufferView {
        var info = VkBufferViewCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO
        info.buffer = range.buffer.handle
        info.format = VK_FORMAT_R32G32B32A32_UINT
        info.offset = UInt64(range.offset)
        info.range = UInt64(range.size)
        var view: VkBufferView?
        try check(vkCreateBufferView(pool.device.handle, &info, nil, &view), "vkCreateBufferView(\(context))")
        guard let view else { throw VulkanError.callFailed(call: "vkCreateBufferView", result: "null handle", code: 0) }
        return view
    }

    /// Writes several bindings.
    public func write(_ bindings: [Int: BufferRange]) throws {
        for (binding, range) in bindings.sorted(by: { $0.key < $1.key }) {
            try write(binding: binding, range)
        }
    }
}
