import CVulkan

/// Records commands into a `CommandBuffer`; valid only inside the
/// `record` closure it was passed to.
///
/// Checks what the validation layers would otherwise only report later:
/// a dispatch without a pipeline, an unbound or incompatible descriptor
/// set, missing push constants, copies outside a buffer.
public final class CommandRecorder {
    let commandBuffer: CommandBuffer
    var isOpen = true
    var retained: [AnyObject] = []
    var dispatchCount = 0
    private var pipeline: ComputePipeline?
    private var boundSets: [Int: DescriptorSet] = [:]
    /// 4-byte words of the push-constant block set since the layout changed.
    private var pushedWords = Set<Int>()

    init(commandBuffer: CommandBuffer) {
        self.commandBuffer = commandBuffer
    }

    private var handle: VkCommandBuffer {
        precondition(isOpen, "CommandRecorder used outside its record closure")
        return commandBuffer.handle
    }

    /// Makes `pipeline` the one later dispatches run.
    public func bind(_ pipeline: ComputePipeline) {
        vkCmdBindPipeline(handle, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.pipeline)
        if let previous = self.pipeline, previous.pushConstantBytes != pipeline.pushConstantBytes {
            pushedWords.removeAll()
        }
        self.pipeline = pipeline
        retained.append(pipeline)
    }

    /// Binds `set` at its set index. Every binding of the set must have been
    /// written.
    public func bind(_ set: DescriptorSet) throws {
        let missing = set.unwrittenBindings
        guard missing.isEmpty else {
            throw VulkanError.invalidArgument("descriptor set \(set.setIndex) of pipeline '\(set.pipeline.name)' "
                + "has unwritten bindings \(missing)")
        }
        var descriptorSet: VkDescriptorSet? = set.handle
        vkCmdBindDescriptorSets(handle, VK_PIPELINE_BIND_POINT_COMPUTE, set.pipeline.layout,
                                UInt32(set.setIndex), 1, &descriptorSet, 0, nil)
        boundSets[set.setIndex] = set
        retained.append(set)
    }

    /// Sets push-constant bytes at `offset` for the bound pipeline.
    public func pushConstants(_ bytes: [UInt8], offset: Int = 0) throws {
        guard let pipeline else { throw VulkanError.invalidArgument("push constants need a bound pipeline") }
        guard offset >= 0, offset % 4 == 0, bytes.count % 4 == 0, !bytes.isEmpty,
              offset + bytes.count <= pipeline.pushConstantBytes else {
            throw VulkanError.invalidArgument("pipeline '\(pipeline.name)': push constants \(offset)..<"
                + "\(offset + bytes.count) do not fit its \(pipeline.pushConstantBytes)-byte block in 4-byte words")
        }
        bytes.withUnsafeBytes {
            vkCmdPushConstants(handle, pipeline.layout, VK_SHADER_STAGE_COMPUTE_BIT.rawValue,
                               UInt32(offset), UInt32(bytes.count), $0.baseAddress)
        }
        pushedWords.formUnion((offset / 4)..<((offset + bytes.count) / 4))
    }

    /// Runs the bound pipeline over `x × y × z` workgroups.
    public func dispatch(_ x: Int, _ y: Int = 1, _ z: Int = 1) throws {
        let pipeline = try readyPipeline()
        let limit = commandBuffer.device.info.limits.maxComputeWorkGroupCount
        for (axis, (count, max)) in zip(["x", "y", "z"], zip([x, y, z], limit)) where count < 0 || count > max {
            throw VulkanError.invalidArgument(
                "pipeline '\(pipeline.name)': \(count) workgroups in \(axis) (the device allows 0...\(max))")
        }
        vkCmdDispatch(handle, UInt32(x), UInt32(y), UInt32(z))
        dispatchCount += 1
    }

    /// Runs the bound pipeline over the workgroup counts the three u32
    /// words at `offset` of `arguments` hold when the command executes
    /// (each within the device's maxComputeWorkGroupCount; 0 runs nothing).
    public func dispatchIndirect(_ arguments: Buffer, offset: Int) throws {
        let pipeline = try readyPipeline()
        guard offset >= 0, offset % 4 == 0, offset + 12 <= arguments.size else {
            throw VulkanError.invalidArgument("pipeline '\(pipeline.name)': indirect arguments at byte \(offset) of a "
                + "\(arguments.size)-byte buffer")
        }
        vkCmdDispatchIndirect(handle, arguments.handle, UInt64(offset))
        dispatchCount += 1
    }

    /// The bound pipeline, once its sets and push constants are in place.
    private func readyPipeline() throws -> ComputePipeline {
        guard let pipeline else { throw VulkanError.invalidArgument("dispatch without a bound pipeline") }
        for setIndex in pipeline.setIndices {
            guard let set = boundSets[setIndex], pipeline.isCompatible(with: set) else {
                throw VulkanError.invalidArgument(
                    "pipeline '\(pipeline.name)': no compatible descriptor set bound at set \(setIndex)")
            }
        }
        if pushedWords.count < pipeline.pushConstantBytes / 4 {
            throw VulkanError.invalidArgument("pipeline '\(pipeline.name)': push constants were not all set")
        }
        return pipeline
    }

    /// Inserts a global memory barrier.
    public func barrier(_ barrier: Barrier) {
        var memoryBarrier = VkMemoryBarrier()
        memoryBarrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER
        memoryBarrier.srcAccessMask = barrier.sourceAccessMask
        memoryBarrier.dstAccessMask = barrier.destinationAccessMask
        vkCmdPipelineBarrier(handle, barrier.sourceStageMask, barrier.destinationStageMask, 0,
                             1, &memoryBarrier, 0, nil, 0, nil)
    }

    /// Copies `source` to `destination` (same size; no overlap within one
    /// buffer).
    public func copy(from source: BufferRange, to destination: BufferRange) throws {
        guard source.size == destination.size, source.size > 0 else {
            throw VulkanError.invalidArgument("copy from \(source) to \(destination): sizes differ or are zero")
        }
        if source.buffer === destination.buffer,
           source.offset < destination.offset + destination.size, destination.offset < source.offset + source.size {
            throw VulkanError.invalidArgument("copy from \(source) to \(destination): ranges overlap")
        }
        var region = VkBufferCopy(srcOffset: UInt64(source.offset), dstOffset: UInt64(destination.offset),
                                  size: UInt64(source.size))
        vkCmdCopyBuffer(handle, source.buffer.handle, destination.buffer.handle, 1, &region)
        retained.append(source.buffer)
        retained.append(destination.buffer)
    }

    /// Fills `range` with copies of a 32-bit word (offset and size must be
    /// multiples of 4). Zeroing a KV cache, resetting a counter.
    public func fill(_ range: BufferRange, with word: UInt32) throws {
        guard range.offset % 4 == 0, range.size % 4 == 0, range.size > 0 else {
            throw VulkanError.invalidArgument("fill of \(range): offset and size must be positive multiples of 4")
        }
        vkCmdFillBuffer(handle, range.buffer.handle, UInt64(range.offset), UInt64(range.size), word)
        retained.append(range.buffer)
    }

    /// Resets every query of `pool`; needed once per recording before
    /// `writeTimestamp`.
    public func resetTimestamps(_ pool: TimestampQueryPool) {
        vkCmdResetQueryPool(handle, pool.handle, 0, UInt32(pool.count))
        retained.append(pool)
    }

    /// Writes the time at which all earlier commands have completed into
    /// query `index`.
    public func writeTimestamp(_ pool: TimestampQueryPool, index: Int) throws {
        guard (0..<pool.count).contains(index) else {
            throw VulkanError.invalidArgument("timestamp index \(index) is outside the pool's \(pool.count) queries")
        }
        vkCmdWriteTimestamp(handle, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool.handle, UInt32(index))
        retained.append(pool)
    }
}
