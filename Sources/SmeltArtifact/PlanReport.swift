/// What the compiler decided for one model and device, and why: the
/// content of `smelt plan` (text, JSON, dot), stored in an artifact's
/// manifest so `smelt plan X.smelt` shows what X was compiled with.
/// docs/PlanFormat.md documents the JSON form.
public struct PlanReport: Codable, Sendable, Equatable {
    public var model: String
    public var pipeline: String
    /// The passes that ran, in order (the pipeline less `--disable-pass`).
    public var passes: [PassRun]
    public var deviceProfile: String
    public var decode: Totals
    /// Kernels in decode order, grouped by layer (nil: before or after the layers).
    public var layers: [Layer]
    public var weights: [WeightChoice]
    public var kvCache: KVCache
    /// Device memory by category, bytes.
    public var memory: [String: Int]
    /// How activations share buffers (nil in plans from before memory planning).
    public var activations: ActivationMemory?
    /// Candidate rewrites not made, with why.
    public var declined: [Remark]
    public var megakernel: Megakernel

    public struct PassRun: Codable, Sendable, Equatable {
        public var name: String
        public var milliseconds: Double
        public var statistics: [String: Int]
        public init(name: String, milliseconds: Double, statistics: [String: Int]) {
            self.name = name
            self.milliseconds = milliseconds
            self.statistics = statistics
        }
    }

    public struct Totals: Codable, Sendable, Equatable {
        public var dispatches: Int
        public var barriers: Int
        public var bytesPerToken: Int
        public init(dispatches: Int, barriers: Int, bytesPerToken: Int) {
            self.dispatches = dispatches
            self.barriers = barriers
            self.bytesPerToken = bytesPerToken
        }
    }

    public struct Layer: Codable, Sendable, Equatable {
        public var index: Int?
        public var kernels: [Kernel]
        public init(index: Int?, kernels: [Kernel]) {
            self.index = index
            self.kernels = kernels
        }
        public var dispatches: Int { kernels.reduce(0) { $0 + $1.dispatches } }
    }

    /// One top-level op of the compiled graph: a fused kernel or a single op.
    public struct Kernel: Codable, Sendable, Equatable {
        /// The fused kernel's name, or the op kind.
        public var kernel: String
        /// Member ops as `kind %result`, in order (one for an unfused op).
        public var ops: [String]
        public var dispatches: Int
        public var bytesPerToken: Int
        public init(kernel: String, ops: [String], dispatches: Int, bytesPerToken: Int) {
            self.kernel = kernel
            self.ops = ops
            self.dispatches = dispatches
            self.bytesPerToken = bytesPerToken
        }
    }

    public struct WeightChoice: Codable, Sendable, Equatable {
        public var name: String
        public var stored: String
        public var chosen: String
        public var reason: String?
        public init(name: String, stored: String, chosen: String, reason: String?) {
            self.name = name
            self.stored = stored
            self.chosen = chosen
            self.reason = reason
        }
    }

    public struct KVCache: Codable, Sendable, Equatable {
        public var layout: String
        public var dtype: String
        public var bytes: Int
        public var reason: String
        public init(layout: String, dtype: String, bytes: Int, reason: String) {
            self.layout = layout
            self.dtype = dtype
            self.bytes = bytes
            self.reason = reason
        }
    }

    public struct Remark: Codable, Sendable, Equatable {
        public var pass: String
        public var subject: String
        public var location: String
        public var reason: String
        public init(pass: String, subject: String, location: String, reason: String) {
            self.pass = pass
            self.subject = subject
            self.location = location
            self.reason = reason
        }
    }

    public struct Megakernel: Codable, Sendable, Equatable {
        public var enabled: Bool
        public var reason: String
        public init(enabled: Bool, reason: String) {
            self.enabled = enabled
            self.reason = reason
        }
    }

    public init(model: String, pipeline: String, passes: [PassRun], deviceProfile: String, decode: Totals,
                layers: [Layer], weights: [WeightChoice], kvCache: KVCache, memory: [String: Int],
                declined: [Remark], megakernel: Megakernel, activations: ActivationMemory? = nil) {
        self.activations = activations
        self.model = model
        self.pipeline = pipeline
        self.passes = passes
        self.deviceProfile = deviceProfile
        self.decode = decode
        self.layers = layers
        self.weights = weights
        self.kvCache = kvCache
        self.memory = memory
        self.declined = declined
        self.megakernel = megakernel
    }
}

/// What activation memory planning did: values whose live ranges never
/// overlap share a device buffer.
public struct ActivationMemory: Codable, Sendable, Equatable {
    /// Activation values (one buffer each before planning) and the buffers they share.
    public var values = 0
    public var buffers = 0
    /// Bytes with one buffer per value, and after sharing.
    public var unsharedBytes = 0
    public var bytes = 0

    public init(values: Int = 0, buffers: Int = 0, unsharedBytes: Int = 0, bytes: Int = 0) {
        self.values = values
        self.buffers = buffers
        self.unsharedBytes = unsharedBytes
        self.bytes = bytes
    }
}
