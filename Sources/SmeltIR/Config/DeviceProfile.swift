import Foundation

/// What the compiler assumes about the target device
/// (`configs/devices/*.yaml`). An artifact is compiled for a profile and
/// runs on any device whose limits are at least these.
public struct DeviceProfile: Sendable, Decodable, Equatable {
    public var name: String
    /// Largest storage-buffer binding; bigger weights are split in row windows.
    public var maxStorageBufferRange: Int
    /// Largest texel-buffer binding in texels of 16 bytes; weight matrices
    /// are read through texel buffers and bound in windows of at most this.
    /// Vulkan's guaranteed minimum (65536) when a profile does not say.
    public var maxTexelBufferElements: Int
    /// Largest uniform-buffer binding (prefill binds x tiles as uniform
    /// buffers); Vulkan's guaranteed 16384 when a profile does not say.
    public var maxUniformBufferRange: Int
    public var subgroupSize: Int
    /// Device-local memory the host can map (integrated GPUs, lavapipe).
    public var unifiedMemory: Bool
    /// Tokens one prefill replay processes.
    public var prefillChunk: Int
    /// Measured decode-matvec rate of each weight format, in billions of
    /// weights per second (matvec-bench); the quantization pass picks the
    /// fastest format that loses no precision. Empty: keep stored formats.
    public var weightRates: [DType: Double]
    /// Most weight bytes a decode step may read, or nil for no limit.
    public var bytesPerTokenBudget: Int?
    /// Whether every workgroup of a dispatch is resident at once, so a
    /// device-wide barrier cannot deadlock (a persistent megakernel needs it).
    public var coresidentWorkgroups: Bool
    /// Most bytes the KV cache may take at f32; a larger cache (a long
    /// context) is stored as f16. Nil: no limit.
    public var kvCacheBudget: Int?
    /// Most workgroups per head decode attention splits the keys over (the
    /// lowering uses one per 256 positions of context up to this); nil: 16.
    public var attentionSplits: Int?
    /// What the lanes of the attention kernel hold: `keys` (one key per
    /// invocation, a workgroup per query; GPUs) or `queries` (one query per
    /// invocation, every cache read shared by the lanes; CPU devices, where
    /// per-lane loads are loops over the lanes). Default `keys`.
    public var attentionLanes: AttentionLanes

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, maxStorageBufferRange = "max_storage_buffer_range", subgroupSize = "subgroup_size"
        case maxTexelBufferElements = "max_texel_buffer_elements", maxUniformBufferRange = "max_uniform_buffer_range"
        case unifiedMemory = "unified_memory", prefillChunk = "prefill_chunk", weightRates = "weight_rates"
        case bytesPerTokenBudget = "bytes_per_token_budget", coresidentWorkgroups = "coresident_workgroups"
        case kvCacheBudget = "kv_cache_budget", attentionSplits = "attention_splits"
        case attentionLanes = "attention_lanes"
    }

    public init(name: String, maxStorageBufferRange: Int, maxTexelBufferElements: Int = 65536,
                maxUniformBufferRange: Int = 16384, subgroupSize: Int = 32, unifiedMemory: Bool = false,
                prefillChunk: Int = 64, weightRates: [DType: Double] = [:], bytesPerTokenBudget: Int? = nil,
                coresidentWorkgroups: Bool = false, kvCacheBudget: Int? = nil, attentionSplits: Int? = nil,
                attentionLanes: AttentionLanes = .keys) {
        self.attentionLanes = attentionLanes
        self.kvCacheBudget = kvCacheBudget
        self.attentionSplits = attentionSplits
        self.weightRates = weightRates
        self.bytesPerTokenBudget = bytesPerTokenBudget
        self.coresidentWorkgroups = coresidentWorkgroups
        self.maxUniformBufferRange = maxUniformBufferRange
        self.name = name
        self.maxStorageBufferRange = maxStorageBufferRange
        self.maxTexelBufferElements = maxTexelBufferElements
        self.subgroupSize = subgroupSize
        self.unifiedMemory = unifiedMemory
        self.prefillChunk = prefillChunk
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        maxStorageBufferRange = try c.decode(Int.self, forKey: .maxStorageBufferRange)
        maxTexelBufferElements = try c.decodeIfPresent(Int.self, forKey: .maxTexelBufferElements) ?? 65536
        maxUniformBufferRange = try c.decodeIfPresent(Int.self, forKey: .maxUniformBufferRange) ?? 16384
        subgroupSize = try c.decodeIfPresent(Int.self, forKey: .subgroupSize) ?? 32
        unifiedMemory = try c.decodeIfPresent(Bool.self, forKey: .unifiedMemory) ?? false
        prefillChunk = try c.decodeIfPresent(Int.self, forKey: .prefillChunk) ?? 64
        bytesPerTokenBudget = try c.decodeIfPresent(Int.self, forKey: .bytesPerTokenBudget)
        coresidentWorkgroups = try c.decodeIfPresent(Bool.self, forKey: .coresidentWorkgroups) ?? false
        kvCacheBudget = try c.decodeIfPresent(Int.self, forKey: .kvCacheBudget)
        attentionSplits = try c.decodeIfPresent(Int.self, forKey: .attentionSplits)
        let lanes = try c.decodeIfPresent(String.self, forKey: .attentionLanes) ?? AttentionLanes.keys.rawValue
        guard let attentionLanes = AttentionLanes(rawValue: lanes) else {
            throw DecodingError.dataCorruptedError(forKey: .attentionLanes, in: c, debugDescription:
                "'\(lanes)' is not one of " + AttentionLanes.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self.attentionLanes = attentionLanes
        if let splits = attentionSplits, !(1...64).contains(splits) {
            throw DecodingError.dataCorruptedError(forKey: .attentionSplits, in: c, debugDescription: "must be 1 ... 64")
        }
        if let budget = kvCacheBudget, budget < 0 {
            throw DecodingError.dataCorruptedError(forKey: .kvCacheBudget, in: c, debugDescription: "must be ≥ 0")
        }
        weightRates = [:]
        for (key, rate) in try c.decodeIfPresent([String: Double].self, forKey: .weightRates) ?? [:] {
            guard let dtype = DType(rawValue: key) else {
                throw DecodingError.dataCorruptedError(forKey: .weightRates, in: c,
                                                       debugDescription: "unknown weight format '\(key)'")
            }
            guard rate > 0, rate.isFinite else {
                throw DecodingError.dataCorruptedError(forKey: .weightRates, in: c,
                                                       debugDescription: "the rate of \(key) must be positive")
            }
            weightRates[dtype] = rate
        }
        guard maxStorageBufferRange >= 1 << 16 else {
            throw DecodingError.dataCorruptedError(forKey: .maxStorageBufferRange, in: c,
                                                   debugDescription: "must be at least 65536")
        }
        guard maxTexelBufferElements >= 1 << 16 else {
            throw DecodingError.dataCorruptedError(forKey: .maxTexelBufferElements, in: c,
                                                   debugDescription: "must be at least 65536")
        }
        guard maxUniformBufferRange >= 1 << 14 else {
            throw DecodingError.dataCorruptedError(forKey: .maxUniformBufferRange, in: c,
                                                   debugDescription: "must be at least 16384")
        }
        guard (1...4096).contains(prefillChunk) else {
            throw DecodingError.dataCorruptedError(forKey: .prefillChunk, in: c, debugDescription: "must be 1 ... 4096")
        }
    }

    /// Reads a profile file.
    public static func load(path: String) throws -> DeviceProfile {
        try decodeYAML(DeviceProfile.self, from: try readTextFile(path, what: "the device profile"), file: path)
    }

    /// lavapipe's limits: the profile used when none is given.
    public static let lavapipe = DeviceProfile(name: "lavapipe", maxStorageBufferRange: 128 << 20,
                                               maxTexelBufferElements: 128 << 20, maxUniformBufferRange: 65536,
                                               subgroupSize: 8,
                                               unifiedMemory: true, prefillChunk: 64,
                                               weightRates: [.q8_0: 5.3, .q4_k: 5.3, .q5_0: 4.6, .q6_k: 5.9],
                                               kvCacheBudget: 1 << 30, attentionSplits: 1,
                                               attentionLanes: .queries)
}

/// What the lanes of an attention kernel hold (see
/// `DeviceProfile.attentionLanes`).
public enum AttentionLanes: String, Sendable, Equatable, CaseIterable {
    case keys, queries
}
