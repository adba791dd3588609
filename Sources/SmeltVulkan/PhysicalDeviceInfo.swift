/// What a Vulkan device is and what it can do, read once at enumeration.
///
/// Everything the compiler's device profile and the runtime's planner need
/// (limits, memory layout, features) with no Vulkan types, so code outside
/// SmeltVulkan can decide kernels and layouts from it.
public struct PhysicalDeviceInfo: Sendable, Hashable, CustomStringConvertible {
    /// Position in the loader's device list; what `--device N` selects.
    public var index: Int
    public var name: String
    public var type: DeviceType
    public var vendorID: UInt32
    public var deviceID: UInt32
    /// `llvmpipe`, `radv`, ... (empty before Vulkan 1.2).
    public var driverName: String
    /// Driver version text such as `Mesa 22.3.6 (LLVM 15.0.6)`.
    public var driverInfo: String
    public var apiVersion: VulkanVersion
    /// Identifies pipeline cache data this driver accepts.
    public var pipelineCacheUUID: [UInt8]
    public var memoryHeaps: [MemoryHeap]
    public var memoryTypes: [MemoryType]
    public var limits: Limits
    /// Optional features the device supports (and `VulkanDevice` enables).
    public var features: Features
    /// Why Smelt cannot use this device (too old, no compute queue); nil if
    /// it can.
    public var unsupportedReason: String?

    /// Whether a device-local heap is also host-visible and coherent, so
    /// buffers can be mapped directly and no staging copies are needed
    /// (integrated GPUs, CPU devices such as lavapipe). Decided on the
    /// largest device-local heap, so a discrete GPU's small BAR window does
    /// not count.
    public var isUMA: Bool {
        guard let main = memoryHeaps.filter(\.isDeviceLocal).max(by: { $0.size < $1.size }) else { return false }
        return memoryTypes.contains { t in
            t.heapIndex == main.index && t.isDeviceLocal && t.isHostVisible && t.isHostCoherent
        }
    }

    public var description: String {
        "[\(index)] \(name) (\(type), Vulkan \(apiVersion), \(driverName) \(driverInfo))"
    }
}

/// The kind of device, as the driver reports it.
public enum DeviceType: String, Sendable, Hashable {
    case discrete, integrated, virtual, cpu, other

    /// Default selection order when no `--device` is given: real GPUs first.
    var preference: Int {
        switch self {
        case .discrete: 0
        case .integrated: 1
        case .virtual: 2
        case .cpu: 3
        case .other: 4
        }
    }
}

/// A Vulkan version number.
public struct VulkanVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(major: Int, minor: Int, patch: Int = 0) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    init(packed v: UInt32) {
        self.init(major: Int((v >> 22) & 0x7F), minor: Int((v >> 12) & 0x3FF), patch: Int(v & 0xFFF))
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    public var description: String { "\(major).\(minor).\(patch)" }
}

extension PhysicalDeviceInfo {
    /// One memory heap (a pool of physical memory).
    public struct MemoryHeap: Sendable, Hashable {
        public var index: Int
        public var size: UInt64
        public var isDeviceLocal: Bool
    }

    /// One memory type: a heap plus the properties of mappings into it.
    public struct MemoryType: Sendable, Hashable {
        public var index: Int
        public var heapIndex: Int
        public var isDeviceLocal: Bool
        public var isHostVisible: Bool
        public var isHostCoherent: Bool
        public var isHostCached: Bool
    }

    /// The limits kernels and the allocator must respect.
    public struct Limits: Sendable, Hashable {
        /// Largest range one storage-buffer descriptor may cover; larger
        /// tensors are bound in windows.
        public var maxStorageBufferRange: UInt64
        public var maxUniformBufferRange: UInt64
        /// Descriptor offsets must be multiples of these.
        public var minStorageBufferOffsetAlignment: UInt64
        public var minUniformBufferOffsetAlignment: UInt64
        /// Texels one texel-buffer view may cover, and the alignment of its
        /// offset.
        public var maxTexelBufferElements: UInt64
        public var minTexelBufferOffsetAlignment: UInt64
        /// Largest single `vkAllocateMemory` (Vulkan 1.1).
        public var maxMemoryAllocationSize: UInt64
        public var maxMemoryAllocationCount: Int
        public var maxPushConstantsSize: Int
        public var maxComputeSharedMemorySize: Int
        public var maxComputeWorkGroupInvocations: Int
        public var maxComputeWorkGroupSize: [Int]
        public var maxComputeWorkGroupCount: [Int]
        public var maxBoundDescriptorSets: Int
        public var subgroupSize: Int
        public var subgroupOperations: SubgroupOperations
        /// Nanoseconds per timestamp tick.
        public var timestampPeriod: Double
        /// Whether the compute queue can write timestamps.
        public var supportsComputeTimestamps: Bool
    }

    /// Optional shader features Smelt's kernels may use.
    public struct Features: Sendable, Hashable {
        public var shaderFloat16 = false
        public var shaderInt8 = false
        public var shaderInt16 = false
        public var shaderInt64 = false
        public var storageBuffer8BitAccess = false
        public var storageBuffer16BitAccess = false
        public var uniformAndStorageBuffer8BitAccess = false
        public var uniformAndStorageBuffer16BitAccess = false
    }
}

/// Subgroup operations a compute shader may use (`GL_KHR_shader_subgroup_*`).
public struct SubgroupOperations: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    // The bit values are Vulkan's VkSubgroupFeatureFlagBits.
    public static let basic = SubgroupOperations(rawValue: 0x1)
    public static let vote = SubgroupOperations(rawValue: 0x2)
    public static let arithmetic = SubgroupOperations(rawValue: 0x4)
    public static let ballot = SubgroupOperations(rawValue: 0x8)
    public static let shuffle = SubgroupOperations(rawValue: 0x10)
    public static let shuffleRelative = SubgroupOperations(rawValue: 0x20)
    public static let clustered = SubgroupOperations(rawValue: 0x40)
    public static let quad = SubgroupOperations(rawValue: 0x80)
}
