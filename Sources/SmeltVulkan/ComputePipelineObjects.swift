import CVulkan

/// The Vulkan object construction behind `ComputePipeline.init`.
extension ComputePipeline {
    static func makeSetLayout(_ device: VulkanDevice, _ bindings: [ComputePipelineDescription.Binding],
                              name: String) throws -> VkDescriptorSetLayout {
        let arena = CArena()
        defer { arena.release() }
        let entries = bindings.map { b in
            var entry = VkDescriptorSetLayoutBinding()
            entry.binding = UInt32(b.binding)
            entry.descriptorType = b.kind.vulkanType
            entry.descriptorCount = 1
            entry.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT.rawValue
            return entry
        }
        var info = VkDescriptorSetLayoutCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO
        info.bindingCount = UInt32(entries.count)
        info.pBindings = UnsafePointer(arena.array(entries))
        var layout: VkDescriptorSetLayout?
        try check(vkCreateDescriptorSetLayout(device.handle, &info, nil, &layout),
                  "vkCreateDescriptorSetLayout(pipeline '\(name)')")
        return layout!
    }

    static func makePipelineLayout(_ device: VulkanDevice, _ setLayouts: [VkDescriptorSetLayout],
                                   pushConstantBytes: Int) throws -> VkPipelineLayout {
        let arena = CArena()
        defer { arena.release() }
        var info = VkPipelineLayoutCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO
        info.setLayoutCount = UInt32(setLayouts.count)
        info.pSetLayouts = UnsafePointer(arena.array(setLayouts.map { Optional($0) }))
        if pushConstantBytes > 0 {
            let range = VkPushConstantRange(stageFlags: VK_SHADER_STAGE_COMPUTE_BIT.rawValue,
                                            offset: 0, size: UInt32(pushConstantBytes))
            info.pushConstantRangeCount = 1
            info.pPushConstantRanges = UnsafePointer(arena.pointer(to: range))
        }
        var layout: VkPipelineLayout?
        try check(vkCreatePipelineLayout(device.handle, &info, nil, &layout), "vkCreatePipelineLayout")
        return layout!
    }

    static func makePipeline(_ device: VulkanDevice, _ d: ComputePipelineDescription,
                             layout: VkPipelineLayout, cache: PipelineCache?) throws -> VkPipeline {
        let arena = CArena()
        defer { arena.release() }

        var moduleInfo = VkShaderModuleCreateInfo()
        moduleInfo.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO
        moduleInfo.codeSize = d.spirv.count * 4
        moduleInfo.pCode = UnsafePointer(arena.array(d.spirv))
        var module: VkShaderModule?
        try check(vkCreateShaderModule(device.handle, &moduleInfo, nil, &module),
                  "vkCreateShaderModule(pipeline '\(d.name)')")
        // The module is only needed while the pipeline is created.
        defer { vkDestroyShaderModule(device.handle, module, nil) }

        let constants = d.specialization.sorted { $0.key < $1.key }
        let entries = constants.enumerated().map { i, constant in
            VkSpecializationMapEntry(constantID: constant.key, offset: UInt32(i * 4), size: 4)
        }
        var specialization = VkSpecializationInfo()
        specialization.mapEntryCount = UInt32(entries.count)
        specialization.pMapEntries = UnsafePointer(arena.array(entries))
        specialization.dataSize = constants.count * 4
        specialization.pData = UnsafeRawPointer(arena.array(constants.map(\.value)))

        var stage = VkPipelineShaderStageCreateInfo()
        stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO
        stage.stage = VK_SHADER_STAGE_COMPUTE_BIT
        stage.module = module
        stage.pName = arena.cString(d.entryPoint)
        stage.pSpecializationInfo = constants.isEmpty ? nil : UnsafePointer(arena.pointer(to: specialization))

        var info = VkComputePipelineCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO
        info.stage = stage
        info.layout = layout
        var pipeline: VkPipeline?
        try check(vkCreateComputePipelines(device.handle, cache?.handle, 1, &info, nil, &pipeline),
                  "vkCreateComputePipelines(pipeline '\(d.name)')")
        return pipeline!
    }
}

extension ComputePipelineDescription.Binding.Kind {
    var vulkanType: VkDescriptorType {
        switch self {
        case .storageBuffer: VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
        case .uniformBuffer: VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER
        case .uniformTexelBuffer: VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER
        }
    }
}
