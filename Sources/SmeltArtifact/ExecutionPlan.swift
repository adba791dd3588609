/// Everything the Vulkan runtime needs to run a compiled model, as data:
/// kernels, buffers, and the command lists of a decode step and of a
/// prefill chunk. The compiler (Codegen) produces it, the artifact stores
/// it, and the runtime (SmeltVulkan) executes it without knowing the graph.
///
/// Step protocol. A small host-visible `control` buffer holds the step's
/// state (see `ControlBlock`); `tokens` holds the step's input token ids.
/// Both command lists read the state from there, so each is recorded once
/// and replayed: the decode list for every generated token, the prefill list
/// for every chunk of the prompt. A list ends by sampling the next token on
/// the device (into `tokens[0]` and the output ring) and advancing the
/// position, so decode steps can be replayed back to back with no host work.
public struct ExecutionPlan: Codable, Sendable, Equatable {
    public var modelName: String
    public var vocabularySize: Int
    /// KV-cache capacity in tokens.
    public var contextLength: Int
    /// Most tokens one prefill replay processes.
    public var prefillChunk: Int
    public var kernels: [PlannedKernel]
    public var buffers: [PlannedBuffer]
    /// One decode step (T = 1).
    public var decode: [PlanCommand]
    /// One prefill chunk (T = control.count ≤ prefillChunk).
    public var prefill: [PlanCommand]
    /// Index in `prefill` where the commands only a prompt's last chunk
    /// needs begin: the output projection and the sampler, from the barrier
    /// before them. Earlier chunks run `prefill[..<prefillTail]` and the
    /// host advances the position. Nil: every chunk runs the whole list.
    public var prefillTail: Int?
    /// Teacher-forced scoring of one chunk: the prefill list with the
    /// logits of every row written to `scoreLogitsBuffer` ([count, vocab])
    /// and no sampling; the host sets the position before each chunk. Nil
    /// when a chunk's logits would not fit one storage-buffer binding.
    public var score: [PlanCommand]?
    /// f32[prefillChunk, vocab], used only by the score list; the runtime
    /// allocates it on the first scoring call.
    public var scoreLogitsBuffer: Int?
    /// Buffer ids of the step-protocol buffers.
    public var controlBuffer: Int
    public var tokensBuffer: Int
    /// Logits of the last processed position, f32[vocab] (padded to whole
    /// 16-byte texels).
    public var logitsBuffer: Int
    /// Sampled tokens by position, i32[contextLength].
    public var outputBuffer: Int

    public init(modelName: String, vocabularySize: Int, contextLength: Int, prefillChunk: Int,
                kernels: [PlannedKernel], buffers: [PlannedBuffer], decode: [PlanCommand], prefill: [PlanCommand],
                controlBuffer: Int, tokensBuffer: Int, logitsBuffer: Int, outputBuffer: Int,
                score: [PlanCommand]? = nil, scoreLogitsBuffer: Int? = nil, prefillTail: Int? = nil) {
        self.prefillTail = prefillTail
        self.score = score
        self.scoreLogitsBuffer = scoreLogitsBuffer
        self.modelName = modelName
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.prefillChunk = prefillChunk
        self.kernels = kernels
        self.buffers = buffers
        self.decode = decode
        self.prefill = prefill
        self.controlBuffer = controlBuffer
        self.tokensBuffer = tokensBuffer
        self.logitsBuffer = logitsBuffer
        self.outputBuffer = outputBuffer
    }
}

/// The layout of the control buffer: 32-bit words at these indices.
public enum ControlBlock {
    /// Tokens already in the KV cache: the first position of this step.
    public static let position = 0
    /// Tokens in this step (1 for decode; ≤ prefillChunk for prefill).
    public static let count = 1
    /// Sampler: temperature (f32 bits; 0 = greedy), top-k (0 = all),
    /// top-p (f32 bits), and the 64-bit SplitMix64 state as two words.
    public static let temperature = 2
    public static let topK = 3
    public static let topP = 4
    public static let rngLow = 5
    public static let rngHigh = 6
    /// Set by the sampler (bit 0) when a step had nothing to sample from:
    /// greedy logits all NaN, or sampled logits with no finite maximum. The
    /// host reads and clears it.
    public static let status = 7
    /// Number of words; the buffer is this many u32s.
    public static let wordCount = 8
}

/// A compute kernel: SPIR-V plus what its pipeline layout needs.
public struct PlannedKernel: Codable, Sendable, Equatable {
    public var name: String
    /// SPIR-V words. In an artifact they live in the SPIR-V section.
    public var spirv: [UInt32]
    /// Bindings 0 ..< bindingCount in descriptor set 0: storage buffers,
    /// except those in `texelBindings` and `uniformBindings`.
    public var bindingCount: Int
    /// Bindings read as uniform texel buffers of R32G32B32A32_UINT texels.
    public var texelBindings: [Int]
    /// Bindings read as uniform buffers.
    public var uniformBindings: [Int]
    public var pushConstantBytes: Int
    /// Specialization constant id → 32-bit value.
    public var specialization: [UInt32: UInt32]
    public var workgroupSize: [Int]

    public init(name: String, spirv: [UInt32], bindingCount: Int, texelBindings: [Int] = [],
                uniformBindings: [Int] = [],
                pushConstantBytes: Int, specialization: [UInt32: UInt32], workgroupSize: [Int]) {
        self.uniformBindings = uniformBindings
        self.name = name
        self.spirv = spirv
        self.bindingCount = bindingCount
        self.texelBindings = texelBindings
        self.pushConstantBytes = pushConstantBytes
        self.specialization = specialization
        self.workgroupSize = workgroupSize
    }
}

/// A device buffer the plan uses.
public struct PlannedBuffer: Codable, Sendable, Equatable {
    public enum Role: String, Codable, Sendable {
        case weight, activation, kvCache = "kv_cache", control, tokens, logits, output
        /// Every row's logits for the score list, allocated when first used.
        case scoreLogits = "score_logits"
        /// u32 counters of last-workgroup kernels: zero when the runtime
        /// starts, and each kernel leaves its counter zero.
        case counters
    }

    public var name: String
    public var role: Role
    public var byteSize: Int
    /// For weights: where the packed bytes are in the weights blob.
    public var weightOffset: Int?
    /// For weights: how the bytes are packed (e.g. "q8_0.split", "f32").
    public var packing: String?

    public init(name: String, role: Role, byteSize: Int, weightOffset: Int? = nil, packing: String? = nil) {
        self.name = name
        self.role = role
        self.byteSize = byteSize
        self.weightOffset = weightOffset
        self.packing = packing
    }
}

/// One recorded command.
public enum PlanCommand: Codable, Sendable, Equatable {
    case dispatch(PlannedDispatch)
    /// A compute→compute memory barrier: everything before is visible after.
    case barrier
}

/// A kernel dispatch with its buffer bindings and push constants.
public struct PlannedDispatch: Codable, Sendable, Equatable {
    public var kernel: Int
    /// Binding i of the kernel gets `bindings[i]`.
    public var bindings: [BufferSlice]
    /// Push-constant words.
    public var pushConstants: [UInt32]
    public var groups: [Int]
    /// The graph ops this dispatch computes, for plans and profiles.
    public var label: String
    /// Bytes this dispatch reads and writes per execution (weights included).
    public var bytesMoved: Int
    /// A prefill dispatch that serves only the chunk's tokens from this one
    /// on (a matmul tile): when the chunk holds no more tokens than that,
    /// the runtime runs it with no workgroups. Nil: it always runs.
    public var firstToken: Int?

    public init(kernel: Int, bindings: [BufferSlice], pushConstants: [UInt32], groups: [Int], label: String,
                bytesMoved: Int, firstToken: Int? = nil) {
        self.kernel = kernel
        self.bindings = bindings
        self.pushConstants = pushConstants
        self.groups = groups
        self.label = label
        self.bytesMoved = bytesMoved
        self.firstToken = firstToken
    }
}

/// A byte range of a plan buffer, at most the device's maxStorageBufferRange.
public struct BufferSlice: Codable, Sendable, Equatable {
    public var buffer: Int
    public var offset: Int
    public var size: Int

    public init(buffer: Int, offset: Int, size: Int) {
        self.buffer = buffer
        self.offset = offset
        self.size = size
    }
}
