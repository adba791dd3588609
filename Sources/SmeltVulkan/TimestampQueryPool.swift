import CVulkan

/// GPU timestamps for timing parts of a command buffer (per-kernel
/// profiles, `smelt bench`). Record `resetTimestamps` then
/// `writeTimestamp(pool, index:)`; read after the submission completes.
public final class TimestampQueryPool {
    public let device: VulkanDevice
    public let count: Int
    let handle: VkQueryPool

    public init(device: VulkanDevice, count: Int) throws {
        guard device.info.limits.supportsComputeTimestamps else {
            throw VulkanError.unsupported("\(device.info.name): the compute queue cannot write timestamps")
        }
        guard count > 0 else { throw VulkanError.invalidArgument("timestamp pool needs a positive count, got \(count)") }
        var info = VkQueryPoolCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO
        info.queryType = VK_QUERY_TYPE_TIMESTAMP
        info.queryCount = UInt32(count)
        var pool: VkQueryPool?
        try check(vkCreateQueryPool(device.handle, &info, nil, &pool), "vkCreateQueryPool")
        self.device = device
        self.count = count
        self.handle = pool!
    }

    deinit {
        vkDestroyQueryPool(device.handle, handle, nil)
    }

    /// Timestamps in nanoseconds (on the device's clock; only differences
    /// mean anything). Waits for the queries to be written.
    public func nanoseconds(first: Int = 0, count: Int? = nil) throws -> [Double] {
        let n = count ?? self.count - first
        guard first >= 0, n > 0, first + n <= self.count else {
            throw VulkanError.invalidArgument("timestamps \(first)..<\(first + n) are outside the pool's \(self.count)")
        }
        var ticks = [UInt64](repeating: 0, count: n)
        let flags = VK_QUERY_RESULT_64_BIT.rawValue | VK_QUERY_RESULT_WAIT_BIT.rawValue
        try ticks.withUnsafeMutableBytes { raw in
            try check(vkGetQueryPoolResults(device.handle, handle, UInt32(first), UInt32(n), raw.count,
                                            raw.baseAddress, 8, flags), "vkGetQueryPoolResults")
        }
        let period = device.info.limits.timestampPeriod
        return ticks.map { Double($0) * period }
    }
}
