import CVulkan

/// Work handed to the queue, with the fence that says when it is done.
/// Keeps its command buffers alive until then; dropping an unfinished
/// submission waits for it.
public final class Submission {
    public let device: VulkanDevice
    let fence: VkFence
    private let commandBuffers: [CommandBuffer]

    init(device: VulkanDevice, fence: VkFence, commandBuffers: [CommandBuffer]) {
        self.device = device
        self.fence = fence
        self.commandBuffers = commandBuffers
    }

    deinit {
        var fence: VkFence? = fence
        _ = vkWaitForFences(device.handle, 1, &fence, vkTrue, UInt64.max)
        vkDestroyFence(device.handle, self.fence, nil)
    }

    /// Whether the device has finished this work.
    public var isComplete: Bool { vkGetFenceStatus(device.handle, fence) == VK_SUCCESS }

    /// Blocks until the work is done; throws `VK_TIMEOUT` after `timeout`
    /// seconds, or a device-lost error.
    public func wait(timeout: Double = .infinity) throws {
        let nanoseconds = timeout.isFinite ? UInt64(max(0, timeout) * 1e9) : UInt64.max
        var fence: VkFence? = fence
        try check(vkWaitForFences(device.handle, 1, &fence, vkTrue, nanoseconds), "vkWaitForFences")
    }
}

extension VulkanDevice {
    /// Submits command buffers in order as one batch.
    public func submit(_ commandBuffers: [CommandBuffer]) throws -> Submission {
        for (i, buffer) in commandBuffers.enumerated() {
            guard buffer.device === self else {
                throw VulkanError.invalidArgument("command buffer \(i) belongs to another device")
            }
            guard buffer.isRecorded else {
                throw VulkanError.invalidArgument("command buffer \(i) has no finished recording")
            }
            let repeated = commandBuffers[..<i].contains { $0 === buffer }
            let pending = buffer.lastSubmission.map { !$0.isComplete } ?? false
            if (repeated || pending) && !buffer.allowsSimultaneousUse {
                throw VulkanError.invalidArgument("command buffer \(i) is already pending; "
                    + "create it with allowsSimultaneousUse to submit it again before it finishes")
            }
        }

        var fenceInfo = VkFenceCreateInfo()
        fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO
        var fence: VkFence?
        try check(vkCreateFence(handle, &fenceInfo, nil, &fence), "vkCreateFence")
        guard let fence else { throw VulkanError.callFailed(call: "vkCreateFence", result: "null handle", code: 0) }

        var handles: [VkCommandBuffer?] = commandBuffers.map(\.handle)
        let result = handles.withUnsafeMutableBufferPointer { pointer in
            var info = VkSubmitInfo()
            info.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO
            info.commandBufferCount = UInt32(pointer.count)
            info.pCommandBuffers = UnsafePointer(pointer.baseAddress)
            return withQueue { vkQueueSubmit($0, 1, &info, fence) }
        }
        guard result == VK_SUCCESS else {
            vkDestroyFence(handle, fence, nil)
            try check(result, "vkQueueSubmit")
            throw VulkanError.callFailed(call: "vkQueueSubmit", result: resultName(result), code: result.rawValue)
        }
        let submission = Submission(device: self, fence: fence, commandBuffers: commandBuffers)
        for buffer in commandBuffers { buffer.lastSubmission = submission }
        return submission
    }

    /// Submits one command buffer.
    public func submit(_ commandBuffer: CommandBuffer) throws -> Submission {
        try submit([commandBuffer])
    }

    /// Submits and waits: the simple synchronous path.
    public func run(_ commandBuffers: CommandBuffer...) throws {
        try submit(commandBuffers).wait()
    }
}
