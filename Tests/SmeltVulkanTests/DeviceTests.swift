import Testing
import SmeltVulkan

@Suite struct DeviceTests {
    @Test func enumeratesLavapipeWithItsLimits() throws {
        let instance = try VulkanInstance(.init(validation: true))
        let devices = try VulkanDevice.enumerate(instance)
        #expect(!devices.isEmpty, "no Vulkan devices: install mesa-vulkan-drivers (scripts/install-deps.sh)")
        #expect(devices.map(\.index) == Array(devices.indices))
        let lavapipe = try #require(devices.first { $0.driverName == "llvmpipe" },
                                    "lavapipe not found among \(devices.map(\.description))")
        #expect(lavapipe.type == .cpu)
        #expect(lavapipe.apiVersion >= VulkanVersion(major: 1, minor: 2))
        #expect(lavapipe.unsupportedReason == nil)
        #expect(!lavapipe.memoryHeaps.isEmpty && !lavapipe.memoryTypes.isEmpty)
        // A CPU device's memory is host memory: one heap, device-local and mappable.
        #expect(lavapipe.isUMA)
        let limits = lavapipe.limits
        #expect(limits.maxStorageBufferRange >= 1 << 27, "Vulkan requires at least 2^27 bytes")
        #expect(limits.subgroupSize >= 1 && limits.subgroupSize & (limits.subgroupSize - 1) == 0)
        #expect(limits.maxComputeSharedMemorySize >= 16384, "Vulkan requires at least 16 KiB")
        #expect(limits.maxComputeWorkGroupInvocations >= 128, "Vulkan requires at least 128")
        #expect(limits.maxPushConstantsSize >= 128, "Vulkan requires at least 128 bytes")
        #expect(limits.subgroupOperations.contains(.basic))
        #expect(!lavapipe.driverInfo.isEmpty)
        #expect(instance.validationMessages.isEmpty, "\(instance.validationMessages)")
    }

    @Test func selectsDeviceByIndexAndRejectsBadIndex() throws {
        try withValidatedDevice { device in
            let same = try VulkanDevice(instance: device.instance, deviceIndex: device.info.index)
            #expect(same.info == device.info)
            let count = try VulkanDevice.enumerate(device.instance).count
            let error = #expect(throws: VulkanError.self) {
                try VulkanDevice(instance: device.instance, deviceIndex: count)
            }
            #expect(error?.description.contains("no Vulkan device \(count)") == true)
            #expect(error?.description.contains(device.info.name) == true, "lists the devices that exist")
        }
    }
}
