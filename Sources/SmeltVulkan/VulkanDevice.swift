import CVulkan
import Foundation

/// A logical device with one compute queue: the root of every buffer,
/// pipeline and command buffer. Holds its instance, so the instance lives
/// as long as anything made from the device.
public final class VulkanDevice {
    public let instance: VulkanInstance
    /// The physical device this was created on.
    public let info: PhysicalDeviceInfo
    /// The optional features turned on (every one of `info.features` the
    /// device supports).
    public var enabledFeatures: PhysicalDeviceInfo.Features { info.features }

    let handle: VkDevice
    let physicalDevice: VkPhysicalDevice
    let queueFamily: UInt32
    let queue: VkQueue
    /// Vulkan requires external synchronization of a queue.
    private let queueLock = NSLock()

    /// Every physical device the instance sees, usable or not (see
    /// `unsupportedReason`).
    public static func enumerate(_ instance: VulkanInstance) throws -> [PhysicalDeviceInfo] {
        try instance.physicalDevices()
    }

    /// Opens the device at `deviceIndex` (as listed by `enumerate`, what a
    /// `--device N` flag passes), or the best usable one when nil: discrete,
    /// then integrated, virtual, CPU.
    public init(instance: VulkanInstance, deviceIndex: Int? = nil) throws {
        let records = try queryPhysicalDevices(instance.handle)
        let listing = records.map { "  " + $0.info.description }.joined(separator: "\n")
        let record: PhysicalDeviceRecord
        if let deviceIndex {
            guard records.indices.contains(deviceIndex) else {
                throw VulkanError.invalidArgument(records.isEmpty
                    ? "no Vulkan device \(deviceIndex): no Vulkan devices found"
                    : "no Vulkan device \(deviceIndex); found \(records.count):\n\(listing)")
            }
            record = records[deviceIndex]
            if let why = record.info.unsupportedReason {
                throw VulkanError.unsupported("device \(record.info.description) cannot run Smelt: \(why)")
            }
        } else {
            guard let best = records.filter({ $0.info.unsupportedReason == nil })
                .min(by: { $0.info.type.preference < $1.info.type.preference }) else {
                throw VulkanError.unsupported(records.isEmpty
                    ? "no Vulkan devices found (for a CPU device install Mesa's lavapipe: "
                        + "apt-get install mesa-vulkan-drivers, or run scripts/install-deps.sh)"
                    : "no usable Vulkan device:\n" + records.map {
                        "  \($0.info.description): \($0.info.unsupportedReason ?? "")"
                    }.joined(separator: "\n"))
            }
            record = best
        }
        guard let family = record.computeQueueFamily else {
            throw VulkanError.unsupported("device \(record.info.description) has no compute queue")
        }

        self.instance = instance
        self.info = record.info
        self.physicalDevice = record.handle
        self.queueFamily = family
        (handle, queue) = try Self.createDevice(record.handle, family: family, features: record.info.features)
    }

    deinit {
        vkDeviceWaitIdle(handle)
        vkDestroyDevice(handle, nil)
    }

    /// Waits until the device has finished all submitted work.
    public func waitIdle() throws {
        queueLock.lock()
        defer { queueLock.unlock() }
        try check(vkDeviceWaitIdle(handle), "vkDeviceWaitIdle")
    }

    /// Runs `body` with the queue held, so submissions from several threads
    /// do not interleave.
    func withQueue<R>(_ body: (VkQueue) throws -> R) rethrows -> R {
        queueLock.lock()
        defer { queueLock.unlock() }
        return try body(queue)
    }

    private static func createDevice(
        _ physical: VkPhysicalDevice, family: UInt32, features: PhysicalDeviceInfo.Features
    ) throws -> (VkDevice, VkQueue) {
        let arena = CArena()
        defer { arena.release() }

        var queueInfo = VkDeviceQueueCreateInfo()
        queueInfo.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO
        queueInfo.queueFamilyIndex = family
        queueInfo.queueCount = 1
        queueInfo.pQueuePriorities = UnsafePointer(arena.pointer(to: Float(1)))

        // Turn on every optional feature the device has; kernels are chosen
        // from `enabledFeatures`, so enabling is free and keeps them honest.
        var f12 = VkPhysicalDeviceVulkan12Features()
        f12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES
        f12.shaderFloat16 = features.shaderFloat16 ? vkTrue : vkFalse
        f12.shaderInt8 = features.shaderInt8 ? vkTrue : vkFalse
        f12.storageBuffer8BitAccess = features.storageBuffer8BitAccess ? vkTrue : vkFalse
        f12.uniformAndStorageBuffer8BitAccess = features.uniformAndStorageBuffer8BitAccess ? vkTrue : vkFalse
        var f11 = VkPhysicalDeviceVulkan11Features()
        f11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES
        f11.storageBuffer16BitAccess = features.storageBuffer16BitAccess ? vkTrue : vkFalse
        f11.uniformAndStorageBuffer16BitAccess = features.uniformAndStorageBuffer16BitAccess ? vkTrue : vkFalse
        f11.pNext = UnsafeMutableRawPointer(arena.pointer(to: f12))
        var f2 = VkPhysicalDeviceFeatures2()
        f2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2
        f2.features.shaderInt16 = features.shaderInt16 ? vkTrue : vkFalse
        f2.features.shaderInt64 = features.shaderInt64 ? vkTrue : vkFalse
        f2.pNext = UnsafeMutableRawPointer(arena.pointer(to: f11))

        var info = VkDeviceCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO
        info.pNext = UnsafeRawPointer(arena.pointer(to: f2))
        info.queueCreateInfoCount = 1
        info.pQueueCreateInfos = UnsafePointer(arena.pointer(to: queueInfo))

        var device: VkDevice?
        try check(vkCreateDevice(physical, &info, nil, &device), "vkCreateDevice")
        guard let device else { throw VulkanError.callFailed(call: "vkCreateDevice", result: "null handle", code: 0) }
        var queue: VkQueue?
        vkGetDeviceQueue(device, family, 0, &queue)
        guard let queue else {
            vkDestroyDevice(device, nil)
            throw VulkanError.callFailed(call: "vkGetDeviceQueue", result: "null handle", code: 0)
        }
        return (device, queue)
    }
}
