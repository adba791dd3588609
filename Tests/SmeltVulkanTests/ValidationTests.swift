import Testing
import SmeltVulkan

@Suite struct ValidationTests {
    /// Proves the harness the other tests rely on: synchronization
    /// validation is on and its messages reach `validationMessages`. A fill
    /// and then a dispatch writing the same buffer with no barrier between
    /// them is a write-after-write hazard. (Validation layers 1.3.239 do not
    /// report a hazard between two dispatches, so that case cannot serve.)
    @Test func missingBarrierIsReported() throws {
        let instance = try VulkanInstance(.init(synchronizationValidation: true, applicationName: "smelt-tests"))
        try runWithoutBarrier(instance)
        let hazards = instance.validationMessages.filter { $0.id.hasPrefix("SYNC-HAZARD") }
        #expect(!hazards.isEmpty, "expected a SYNC-HAZARD message, got \(instance.validationMessages)")
        instance.clearValidationMessages()
        #expect(instance.validationMessages.isEmpty)
    }

    private func runWithoutBarrier(_ instance: VulkanInstance) throws {
        let device = try VulkanDevice(instance: instance)
        let pipeline = try pipeline(device, name: "counter", glsl: counterKernelGLSL, storageBindings: 1)
        let buffer = try MemoryAllocator(device: device).makeBuffer(size: 4)
        let pool = try DescriptorPool(device: device, maxSets: 1, storageBuffers: 1)
        let set = try pool.makeSet(for: pipeline)
        try set.write(binding: 0, buffer.whole)
        let commands = try CommandBuffer(device: device)
        try commands.record { r in
            try r.fill(buffer.whole, with: 0)
            r.bind(pipeline)
            try r.bind(set)
            try r.dispatch(1)
        }
        try device.run(commands)
    }
}
