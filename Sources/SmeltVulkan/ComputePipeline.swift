import CVulkan

/// What the runtime needs to build a compute pipeline: SPIR-V plus its
/// interface. Plain data, so a kernel's description can be stored in an
/// artifact and rebuilt without the compiler.
public struct ComputePipelineDescription: Sendable, Hashable {
    /// One descriptor binding the shader declares.
    public struct Binding: Sendable, Hashable {
        /// The descriptor type. A uniform texel buffer is read as
        /// `usamplerBuffer` texels of four u32 (VK_FORMAT_R32G32B32A32_UINT):
        /// on CPU devices its fetches are straight-line gathers, where
        /// per-lane storage-buffer loads become loops (PERF_NOTES).
        public enum Kind: String, Sendable, Hashable { case storageBuffer, uniformBuffer, uniformTexelBuffer }
        public var set: Int
        public var binding: Int
        public var kind: Kind

        public init(set: Int = 0, binding: Int, kind: Kind = .storageBuffer) {
            self.set = set
            self.binding = binding
            self.kind = kind
        }
    }

    /// Names the pipeline in errors.
    public var name: String
    public var spirv: [UInt32]
    public var entryPoint: String
    public var bindings: [Binding]
    /// Size of the shader's push-constant block (a multiple of 4).
    public var pushConstantBytes: Int
    /// Specialization constant id → its 32-bit value (the bit pattern of a
    /// uint, int, float or bool).
    public var specialization: [UInt32: UInt32]

    public init(name: String, spirv: [UInt32], entryPoint: String = "main", bindings: [Binding],
                pushConstantBytes: Int = 0, specialization: [UInt32: UInt32] = [:]) {
        self.name = name
        self.spirv = spirv
        self.entryPoint = entryPoint
        self.bindings = bindings
        self.pushConstantBytes = pushConstantBytes
        self.specialization = specialization
    }
}

/// A compute pipeline with its descriptor set layouts and pipeline layout.
public final class ComputePipeline {
    public let device: VulkanDevice
    public let name: String
    public let bindings: [ComputePipelineDescription.Binding]
    public let pushConstantBytes: Int

    let pipeline: VkPipeline
    let layout: VkPipelineLayout
    /// One per set index from 0 to the highest used (unused ones empty).
    let setLayouts: [VkDescriptorSetLayout]
    /// The set indices the shader declares bindings in.
    let setIndices: [Int]

    /// Builds the pipeline; with a `cache`, the driver reuses earlier
    /// compilation results.
    public init(device: VulkanDevice, description d: ComputePipelineDescription, cache: PipelineCache? = nil) throws {
        try Self.validate(d, device: device)
        self.device = device
        name = d.name
        bindings = d.bindings
        pushConstantBytes = d.pushConstantBytes
        setIndices = Array(Set(d.bindings.map(\.set))).sorted()

        var created = PipelineObjects(device: device.handle)
        defer { created.destroyUnlessKept() }

        let highestSet = d.bindings.map(\.set).max() ?? -1
        for set in 0..<(highestSet + 1) {
            created.setLayouts.append(try Self.makeSetLayout(device, d.bindings.filter { $0.set == set }, name: d.name))
        }
        created.layout = try Self.makePipelineLayout(device, created.setLayouts, pushConstantBytes: d.pushConstantBytes)
        created.pipeline = try Self.makePipeline(device, d, layout: created.layout!, cache: cache)

        pipeline = created.pipeline!
        layout = created.layout!
        setLayouts = created.setLayouts
        created.keep = true
    }

    deinit {
        vkDestroyPipeline(device.handle, pipeline, nil)
        vkDestroyPipelineLayout(device.handle, layout, nil)
        for setLayout in setLayouts { vkDestroyDescriptorSetLayout(device.handle, setLayout, nil) }
    }

    /// The bindings the shader declares in set `index`.
    public func bindings(inSet index: Int) -> [ComputePipelineDescription.Binding] {
        bindings.filter { $0.set == index }
    }

    /// Whether a descriptor set made for another pipeline can be bound with
    /// this one: Vulkan requires identical push-constant ranges and set
    /// layouts up to and including the set's index.
    func isCompatible(with set: DescriptorSet) -> Bool {
        let other = set.pipeline
        if other === self { return true }
        func prefix(_ b: [ComputePipelineDescription.Binding]) -> Set<ComputePipelineDescription.Binding> {
            Set(b.filter { $0.set <= set.setIndex })
        }
        return other.pushConstantBytes == pushConstantBytes && prefix(other.bindings) == prefix(bindings)
    }

    private static func validate(_ d: ComputePipelineDescription, device: VulkanDevice) throws {
        func fail(_ why: String) -> VulkanError { .invalidArgument("pipeline '\(d.name)': \(why)") }
        guard d.spirv.first == 0x0723_0203 else { throw fail("SPIR-V does not start with the magic number") }
        let limits = device.info.limits
        guard d.pushConstantBytes >= 0, d.pushConstantBytes % 4 == 0,
              d.pushConstantBytes <= limits.maxPushConstantsSize else {
            throw fail("push-constant block of \(d.pushConstantBytes) bytes is not a multiple of 4 "
                + "within the device's \(limits.maxPushConstantsSize) bytes")
        }
        var seen = Set<[Int]>()
        for b in d.bindings {
            guard b.set >= 0, b.set < limits.maxBoundDescriptorSets, b.binding >= 0 else {
                throw fail("binding (set \(b.set), binding \(b.binding)) is out of range "
                    + "(the device binds \(limits.maxBoundDescriptorSets) sets)")
            }
            guard seen.insert([b.set, b.binding]).inserted else {
                throw fail("set \(b.set) binding \(b.binding) is declared twice")
            }
        }
    }
}

/// Handles made while building a pipeline, destroyed if a later step fails.
private struct PipelineObjects {
    let device: VkDevice
    var setLayouts: [VkDescriptorSetLayout] = []
    var layout: VkPipelineLayout?
    var pipeline: VkPipeline?
    var keep = false

    init(device: VkDevice) { self.device = device }

    func destroyUnlessKept() {
        guard !keep else { return }
        if let pipeline { vkDestroyPipeline(device, pipeline, nil) }
        if let layout { vkDestroyPipelineLayout(device, layout, nil) }
        for setLayout in setLayouts { vkDestroyDescriptorSetLayout(device, setLayout, nil) }
    }
}
