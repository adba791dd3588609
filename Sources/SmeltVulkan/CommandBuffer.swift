import CVulkan

/// A primary command buffer with its own command pool.
///
/// Record once, submit many times: the decode step is recorded once and
/// replayed per token, with all changing state (position, token) in device
/// buffers. Recording again replaces the previous contents. The buffer keeps
/// every pipeline, descriptor set and buffer it references alive.
public final class CommandBuffer {
    public let device: VulkanDevice
    /// Whether the buffer may be pending more than once at a time (several
    /// copies in one submission, or a new submit before the last finished).
    public let allowsSimultaneousUse: Bool
    /// Dispatches in the current recording (a metric: dispatches per token).
    public private(set) var dispatchCount = 0
    /// Whether the buffer holds a finished recording.
    public private(set) var isRecorded = false
    /// Times `record` has completed (a metric: recordings per generation).
    public private(set) var recordingCount = 0

    let pool: VkCommandPool
    let handle: VkCommandBuffer
    /// Objects the recorded commands refer to.
    private var retained: [AnyObject] = []
    /// The latest submission, to refuse re-recording while it runs.
    weak var lastSubmission: Submission?

    public init(device: VulkanDevice, allowsSimultaneousUse: Bool = false) throws {
        var poolInfo = VkCommandPoolCreateInfo()
        poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO
        poolInfo.queueFamilyIndex = device.queueFamily
        var pool: VkCommandPool?
        try check(vkCreateCommandPool(device.handle, &poolInfo, nil, &pool), "vkCreateCommandPool")
        guard let pool else { throw VulkanError.callFailed(call: "vkCreateCommandPool", result: "null handle", code: 0) }

        var allocateInfo = VkCommandBufferAllocateInfo()
        allocateInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO
        allocateInfo.commandPool = pool
        allocateInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY
        allocateInfo.commandBufferCount = 1
        var handle: VkCommandBuffer?
        let result = vkAllocateCommandBuffers(device.handle, &allocateInfo, &handle)
        guard result == VK_SUCCESS, let handle else {
            vkDestroyCommandPool(device.handle, pool, nil)
            try check(result, "vkAllocateCommandBuffers")
            throw VulkanError.callFailed(call: "vkAllocateCommandBuffers", result: "null handle", code: 0)
        }
        self.device = device
        self.allowsSimultaneousUse = allowsSimultaneousUse
        self.pool = pool
        self.handle = handle
    }

    deinit {
        // Destroying the pool frees the command buffer. A pending buffer is
        // kept alive by its Submission, so none is pending here.
        vkDestroyCommandPool(device.handle, pool, nil)
    }

    /// Records commands, replacing any earlier recording. If `body` throws,
    /// the buffer is left unrecorded and cannot be submitted.
    public func record(_ body: (CommandRecorder) throws -> Void) throws {
        if let pending = lastSubmission, !pending.isComplete {
            throw VulkanError.invalidArgument("cannot re-record a command buffer that is still executing; wait first")
        }
        isRecorded = false
        retained.removeAll()
        dispatchCount = 0
        try check(vkResetCommandPool(device.handle, pool, 0), "vkResetCommandPool")

        var begin = VkCommandBufferBeginInfo()
        begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO
        begin.flags = allowsSimultaneousUse ? VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT.rawValue : 0
        try check(vkBeginCommandBuffer(handle, &begin), "vkBeginCommandBuffer")

        let recorder = CommandRecorder(commandBuffer: self)
        defer { recorder.isOpen = false }
        do {
            try body(recorder)
        } catch {
            _ = vkEndCommandBuffer(handle)
            retained.removeAll()
            throw error
        }
        try check(vkEndCommandBuffer(handle), "vkEndCommandBuffer")
        retained = recorder.retained
        dispatchCount = recorder.dispatchCount
        isRecorded = true
        recordingCount += 1
    }
}
