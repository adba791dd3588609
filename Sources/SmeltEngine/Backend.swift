import SmeltIR

/// How the next token is chosen. Temperature 0 is greedy (argmax, lowest id
/// on ties); otherwise top-k, then top-p, then a draw from a generator
/// seeded with `seed`, so a seed reproduces a generation.
public struct SamplingParameters: Sendable, Equatable {
    public var temperature: Float
    public var topK: Int
    public var topP: Float
    public var seed: UInt64

    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
    }

    public static let greedy = SamplingParameters()

    /// "greedy", or "temperature 0.8, top-k 40, top-p 0.95, seed 1".
    public var summary: String {
        temperature == 0 ? "greedy" : "temperature \(temperature), top-k \(topK), top-p \(topP), seed \(seed)"
    }

    /// Checks ranges, naming the flag a person would have set.
    public func validate() throws {
        guard temperature >= 0, temperature.isFinite else { throw SmeltError("--temperature must be >= 0, got \(temperature)") }
        guard topK >= 0 else { throw SmeltError("--top-k must be >= 0 (0 keeps every token), got \(topK)") }
        guard topP > 0, topP <= 1 else { throw SmeltError("--top-p must be in (0, 1], got \(topP)") }
    }
}

/// Something that runs a model step by step: the reference interpreter or
/// the Vulkan runtime. A backend owns its KV cache and sampler state.
public protocol InferenceBackend: AnyObject {
    /// "reference" or "vulkan".
    var name: String { get }
    var contextLength: Int { get }
    var vocabularySize: Int { get }
    /// Tokens already in the KV cache.
    var position: Int { get }
    /// Empties the KV cache and re-seeds the sampler.
    func reset(sampling: SamplingParameters) throws
    /// Runs `tokens` (a prefill, or one decode token) and returns the token
    /// sampled from the last position's logits.
    func step(_ tokens: [Int32]) throws -> Int32
    /// Runs `tokens` and returns the logits of every position, [T, vocab]
    /// row-major: teacher-forced scoring.
    func scoreLogits(_ tokens: [Int32]) throws -> [Float]
    /// Counters a benchmark reports (dispatches, recordings, bytes moved).
    var counters: BackendCounters { get }
}

/// What a backend counts about the work it did.
public struct BackendCounters: Sendable, Equatable {
    public var dispatchesPerToken: Int?
    public var commandBufferRecordings: Int?
    public var bytesPerToken: Int?
    public var peakDeviceMemory: Int?
    public var deviceName: String?
    public var driverName: String?

    public init() {}
}
