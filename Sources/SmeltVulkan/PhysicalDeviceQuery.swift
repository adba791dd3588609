import CVulkan

/// A physical device handle with what was learned about it.
struct PhysicalDeviceRecord {
    let handle: VkPhysicalDevice
    let info: PhysicalDeviceInfo
    /// The queue family Smelt submits to; nil if the device has no compute queue.
    let computeQueueFamily: UInt32?
}

/// The oldest Vulkan Smelt runs on: Vulkan 1.2 brings 8/16-bit storage,
/// float16/int8 arithmetic and driver properties into core.
let minimumAPIVersion = VulkanVersion(major: 1, minor: 2)

/// Reads every physical device the loader reports.
func queryPhysicalDevices(_ instance: VkInstance) throws -> [PhysicalDeviceRecord] {
    let handles = try enumerate("vkEnumeratePhysicalDevices", zero: VkPhysicalDevice?.none) {
        vkEnumeratePhysicalDevices(instance, $0, $1)
    }
    return handles.compactMap { $0 }.enumerated().map { index, handle in
        queryPhysicalDevice(handle, index: index)
    }
}

private func queryPhysicalDevice(_ handle: VkPhysicalDevice, index: Int) -> PhysicalDeviceRecord {
    var base = VkPhysicalDeviceProperties()
    vkGetPhysicalDeviceProperties(handle, &base)
    let apiVersion = VulkanVersion(packed: base.apiVersion)
    let modern = apiVersion >= minimumAPIVersion

    // The 1.1/1.2 property and feature structs are only valid on a 1.2 device.
    var p11 = VkPhysicalDeviceVulkan11Properties()
    p11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_PROPERTIES
    var p12 = VkPhysicalDeviceVulkan12Properties()
    p12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_PROPERTIES
    var f11 = VkPhysicalDeviceVulkan11Features()
    f11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES
    var f12 = VkPhysicalDeviceVulkan12Features()
    f12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES
    var f2 = VkPhysicalDeviceFeatures2()
    f2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2
    if modern {
        var p2 = VkPhysicalDeviceProperties2()
        p2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2
        withUnsafeMutablePointer(to: &p12) { p12p in
            p11.pNext = UnsafeMutableRawPointer(p12p)
            withUnsafeMutablePointer(to: &p11) { p11p in
                p2.pNext = UnsafeMutableRawPointer(p11p)
                vkGetPhysicalDeviceProperties2(handle, &p2)
            }
        }
        withUnsafeMutablePointer(to: &f12) { f12p in
            f11.pNext = UnsafeMutableRawPointer(f12p)
            withUnsafeMutablePointer(to: &f11) { f11p in
                f2.pNext = UnsafeMutableRawPointer(f11p)
                vkGetPhysicalDeviceFeatures2(handle, &f2)
            }
        }
        p11.pNext = nil
        f11.pNext = nil
        f2.pNext = nil
    }

    var memory = VkPhysicalDeviceMemoryProperties()
    vkGetPhysicalDeviceMemoryProperties(handle, &memory)
    let heaps = array(fromCArray: memory.memoryHeaps, count: Int(memory.memoryHeapCount), of: VkMemoryHeap.self)
        .enumerated().map { i, heap in
            PhysicalDeviceInfo.MemoryHeap(
                index: i, size: heap.size,
                isDeviceLocal: heap.flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT.rawValue != 0)
        }
    let types = array(fromCArray: memory.memoryTypes, count: Int(memory.memoryTypeCount), of: VkMemoryType.self)
        .enumerated().map { i, type in
            let flags = type.propertyFlags
            return PhysicalDeviceInfo.MemoryType(
                index: i, heapIndex: Int(type.heapIndex),
                isDeviceLocal: flags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT.rawValue != 0,
                isHostVisible: flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT.rawValue != 0,
                isHostCoherent: flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT.rawValue != 0,
                isHostCached: flags & VK_MEMORY_PROPERTY_HOST_CACHED_BIT.rawValue != 0)
        }

    let families = getArray(zero: VkQueueFamilyProperties()) {
        vkGetPhysicalDeviceQueueFamilyProperties(handle, $0, $1)
    }
    let computeFamily = chooseComputeQueueFamily(families)

    let l = base.limits
    let limits = PhysicalDeviceInfo.Limits(
        maxStorageBufferRange: UInt64(l.maxStorageBufferRange),
        maxUniformBufferRange: UInt64(l.maxUniformBufferRange),
        minStorageBufferOffsetAlignment: l.minStorageBufferOffsetAlignment,
        minUniformBufferOffsetAlignment: l.minUniformBufferOffsetAlignment,
        maxTexelBufferElements: UInt64(l.maxTexelBufferElements),
        minTexelBufferOffsetAlignment: l.minTexelBufferOffsetAlignment,
        maxMemoryAllocationSize: modern ? p11.maxMemoryAllocationSize : UInt64(UInt32.max),
        maxMemoryAllocationCount: Int(l.maxMemoryAllocationCount),
        maxPushConstantsSize: Int(l.maxPushConstantsSize),
        maxComputeSharedMemorySize: Int(l.maxComputeSharedMemorySize),
        maxComputeWorkGroupInvocations: Int(l.maxComputeWorkGroupInvocations),
        maxComputeWorkGroupSize: array(fromCArray: l.maxComputeWorkGroupSize, count: 3, of: UInt32.self).map(Int.init),
        maxComputeWorkGroupCount: array(fromCArray: l.maxComputeWorkGroupCount, count: 3, of: UInt32.self).map(Int.init),
        maxBoundDescriptorSets: Int(l.maxBoundDescriptorSets),
        subgroupSize: Int(p11.subgroupSize),
        subgroupOperations: SubgroupOperations(rawValue: p11.subgroupSupportedOperations),
        timestampPeriod: Double(l.timestampPeriod),
        supportsComputeTimestamps: computeFamily.map { families[Int($0)].timestampValidBits > 0 } ?? false)

    let features = PhysicalDeviceInfo.Features(
        shaderFloat16: f12.shaderFloat16 != 0,
        shaderInt8: f12.shaderInt8 != 0,
        shaderInt16: f2.features.shaderInt16 != 0,
        shaderInt64: f2.features.shaderInt64 != 0,
        storageBuffer8BitAccess: f12.storageBuffer8BitAccess != 0,
        storageBuffer16BitAccess: f11.storageBuffer16BitAccess != 0,
        uniformAndStorageBuffer8BitAccess: f12.uniformAndStorageBuffer8BitAccess != 0,
        uniformAndStorageBuffer16BitAccess: f11.uniformAndStorageBuffer16BitAccess != 0)

    var unsupported: String?
    if !modern {
        unsupported = "Vulkan \(apiVersion) is older than the required \(minimumAPIVersion)"
    } else if computeFamily == nil {
        unsupported = "no queue family supports compute"
    }

    let info = PhysicalDeviceInfo(
        index: index,
        name: string(fromCArray: base.deviceName),
        type: DeviceType(base.deviceType),
        vendorID: base.vendorID,
        deviceID: base.deviceID,
        driverName: modern ? string(fromCArray: p12.driverName) : "",
        driverInfo: modern ? string(fromCArray: p12.driverInfo) : "",
        apiVersion: apiVersion,
        pipelineCacheUUID: array(fromCArray: base.pipelineCacheUUID, count: Int(VK_UUID_SIZE), of: UInt8.self),
        memoryHeaps: heaps,
        memoryTypes: types,
        limits: limits,
        features: features,
        unsupportedReason: unsupported)
    return PhysicalDeviceRecord(handle: handle, info: info, computeQueueFamily: computeFamily)
}

/// Prefers a compute-only family (a discrete GPU's async compute queue),
/// else the first family with compute.
private func chooseComputeQueueFamily(_ families: [VkQueueFamilyProperties]) -> UInt32? {
    let compute = VK_QUEUE_COMPUTE_BIT.rawValue
    let graphics = VK_QUEUE_GRAPHICS_BIT.rawValue
    let candidates = families.indices.filter { families[$0].queueFlags & compute != 0 && families[$0].queueCount > 0 }
    let best = candidates.first { families[$0].queueFlags & graphics == 0 } ?? candidates.first
    return best.map(UInt32.init)
}

extension DeviceType {
    init(_ type: VkPhysicalDeviceType) {
        switch type {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: self = .discrete
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: self = .integrated
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: self = .virtual
        case VK_PHYSICAL_DEVICE_TYPE_CPU: self = .cpu
        default: self = .other
        }
    }
}
