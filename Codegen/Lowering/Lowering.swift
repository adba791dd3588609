import SmeltArtifact
import SmeltIR
import SmeltModels

/// What the lowering needs to know about the target beyond the graph.
public struct LoweringOptions: Sendable {
    public var modelName: String
    /// KV-cache capacity in tokens.
    public var contextLength: Int
    /// Most tokens one prefill replay processes; activations are sized for it.
    public var prefillChunk: Int
    /// The device's largest texel-buffer binding in bytes
    /// (maxTexelBufferElements × 16): weight matrices are read through
    /// texel buffers, and larger ones are bound in row windows.
    public var maxTexelBufferBytes: Int
    /// The device's maxUniformBufferRange: prefill matmuls bind each tile's
    /// rows of x as a uniform buffer (Vulkan guarantees 16384 bytes).
    public var maxUniformBufferRange: Int
    /// The device's maxStorageBufferRange: the score list is emitted only
    /// when a chunk's logits ([prefillChunk, vocab] f32) fit one binding.
    public var maxStorageBufferRange: Int
    /// Workgroups per head that decode attention splits the keys over
    /// (merged by the last to finish); 1 runs one workgroup per head.
    public var attentionSplits: Int
    /// Which attention kernel the lowering emits.
    public var attentionLanes: AttentionLanes

    public init(modelName: String, contextLength: Int, prefillChunk: Int = 64,
                maxTexelBufferBytes: Int = (128 << 20) * 16, maxUniformBufferRange: Int = 65536,
                maxStorageBufferRange: Int = 128 << 20, attentionSplits: Int? = nil,
                attentionLanes: AttentionLanes = .keys) {
        self.attentionLanes = attentionLanes
        self.attentionSplits = attentionSplits ?? Self.attentionSplits(contextLength: contextLength)
        self.maxUniformBufferRange = maxUniformBufferRange
        self.maxStorageBufferRange = maxStorageBufferRange
        self.modelName = modelName
        self.contextLength = contextLength
        self.prefillChunk = prefillChunk
        self.maxTexelBufferBytes = maxTexelBufferBytes
    }
}

extension LoweringOptions {
    /// One split per 256 positions of the context, 1 ... `most`: a decode step
    /// near the end of a long context keeps many workgroups busy, and a short
    /// context costs no merge.
    public static func attentionSplits(contextLength: Int, most: Int = 16) -> Int {
        max(1, min(most, contextLength / 256))
    }
}

/// A lowered model: the plan and the weights blob it points into.
public struct LoweredModel: Sendable {
    public var plan: ExecutionPlan
    public var weights: [UInt8]
    /// Decode dispatches and bytes moved per top-level op of the graph
    /// (by position), for `smelt plan`.
    public var decodeCost: [Int: OpCost]
    /// Fused ops the lowering ran op by op, with why.
    public var remarks: [String]
    /// How activations share buffers (memory planning).
    public var activationMemory: ActivationMemory
}

/// What one op costs per decode step.
public struct OpCost: Sendable, Equatable {
    public var dispatches: Int
    public var bytesMoved: Int
}

/// Lowers a bound graph to an `ExecutionPlan`: a kernel per op or per
/// fused op, activations sized for a prefill chunk and sharing buffers where
/// their live ranges allow (`MemoryPlanner`), reshapes as aliases, and the
/// device sampler at the end of the decode and prefill lists.
public enum Lowering {
    public static func lower(graph: Graph, store: any WeightStore, options: LoweringOptions,
                             compiler: ShaderCompiler? = nil, compileShaders: Bool = true) throws -> LoweredModel {
        guard options.prefillChunk >= 1, options.contextLength >= 1, options.attentionSplits >= 1 else {
            throw SmeltError("lowering: prefillChunk (\(options.prefillChunk)), contextLength "
                + "(\(options.contextLength)) and attentionSplits (\(options.attentionSplits)) must be ≥ 1")
        }
        var state = try LoweringState(graph: graph, store: store, options: options)
        try state.allocate()
        state.builder.beginList()
        try state.emit(tokens: 1)
        var lists = [state.builder.emitted]
        state.builder.beginList()
        try state.emit(tokens: options.prefillChunk)
        lists.append(state.builder.emitted)
        let scoreBytes = options.prefillChunk * state.vocabularySize * 4
        if scoreBytes <= options.maxStorageBufferRange {
            state.scoreLogits = state.builder.addBuffer(.init(name: "score_logits", role: .scoreLogits,
                                                              byteSize: scoreBytes))
            state.builder.beginList()
            try state.emit(tokens: options.prefillChunk)
            lists.append(state.builder.emitted)
        }
        let memory = MemoryPlanner.plan(buffers: state.builder.buffers, lists: lists)
        let buffer = { (index: Int) in memory.remap[index] }

        // `smelt plan` needs the plan's shape, not SPIR-V.
        let compiler = compileShaders ? try compiler ?? ShaderCompiler() : nil
        let kernels = try state.builder.kernelSpecs.map { spec in
            PlannedKernel(spec: spec, spirv: try compiler.map {
                try $0.compile(try KernelGenerator.glsl(for: spec, library: .runtime), name: spec.name)
            } ?? [])
        }
        let plan = ExecutionPlan(
            modelName: options.modelName, vocabularySize: state.vocabularySize, contextLength: options.contextLength,
            prefillChunk: options.prefillChunk, kernels: kernels, buffers: memory.buffers, decode: memory.lists[0],
            prefill: memory.lists[1], controlBuffer: buffer(state.control), tokensBuffer: buffer(state.tokens),
            logitsBuffer: buffer(state.logits), outputBuffer: buffer(state.output),
            score: memory.lists.count > 2 ? memory.lists[2] : nil, scoreLogitsBuffer: state.scoreLogits.map(buffer),
            prefillTail: tail(of: memory.lists[1], logits: buffer(state.logits)))
        return LoweredModel(plan: plan, weights: state.packer.blob,
                            decodeCost: state.decodeCost.mapValues { OpCost(dispatches: $0.dispatches, bytesMoved: $0.bytes) },
                            remarks: state.remarks, activationMemory: memory.report)
    }
}

/// Where a prefill list's tail begins: the first dispatch that binds the
/// logits buffer (the output projection), preceded by its barriers. Nil when
/// no dispatch does.
func tail(of list: [PlanCommand], logits: Int) -> Int? {
    guard var start = list.firstIndex(where: { command in
        if case .dispatch(let d) = command { d.bindings.contains { $0.buffer == logits } } else { false }
    }) else { return nil }
    while start > 0, list[start - 1] == .barrier { start -= 1 }
    return start
}

/// The lowering's working state: buffers by value, packed weights.
struct LoweringState {
    let graph: Graph
    let store: any WeightStore
    let options: LoweringOptions
    var builder = PlanBuilder()
    var packer: WeightPacker
    var control = 0, tokens = 0, logits = 0, output = 0
    /// Set while the score list is emitted: logits of every row go here and
    /// nothing is sampled.
    var scoreLogits: Int?
    /// Zeroed u32 slots of last-workgroup kernels (made on first use).
    var counters: Int?
    var vocabularySize = 0
    /// Activation / cache / io buffer of each value.
    var bufferOf: [ValueID: Int] = [:]
    var weightOf: [ValueID: LoweredWeight] = [:]
    /// f32 copies of embedding tables whose format has no embedding kernel.
    var embeddingCopies: [String: LoweredWeight] = [:]
    /// kv_write results → the cache's shape, element type and layout.
    var cacheShape: [ValueID: CacheLayout] = [:]
    /// Packed weights by tensor name.
    var weightsByName: [String: LoweredWeight] = [:]
    /// Weight names stored as one matrix (a fused kernel's operands), by member.
    var weightGroups: [String: [String]] = [:]
    /// Where the decode list reads a value when it is not its own buffer: a
    /// fused matvec writes all its projections' rows into one buffer.
    var decodeViews: [ValueID: BufferSlice] = [:]
    /// Group name (first member) → the group stored as one matrix.
    var groupWeights: [String: LoweredWeight] = [:]
    /// Fused ops that run op by op, and why.
    var remarks: [String] = []
    /// Decode dispatches and bytes moved per top-level op (for `smelt plan`).
    var decodeCost: [Int: (dispatches: Int, bytes: Int)] = [:]

    init(graph: Graph, store: any WeightStore, options: LoweringOptions) throws {
        self.graph = graph
        self.store = store
        self.options = options
        packer = WeightPacker(maxTexelBufferBytes: options.maxTexelBufferBytes, offsetAlignment: 256)
        guard let out = graph.outputs.first else { throw SmeltError("graph '\(graph.name)' has no output") }
        guard let vocab = graph.type(of: out).dims.last?.fixedValue else {
            throw SmeltError("graph '\(graph.name)': the output's last dimension (vocabulary) must be fixed")
        }
        vocabularySize = vocab
    }

    /// `count` fresh zeroed u32s of the `counters` buffer (256-byte aligned
    /// slots) for a last-workgroup kernel.
    mutating func counterSlot(count: Int = 1) -> BufferSlice {
        if counters == nil {
            counters = builder.addBuffer(PlannedBuffer(name: "counters", role: .counters, byteSize: 0))
        }
        let buffer = counters!
        let offset = builder.buffers[buffer].byteSize
        let bytes = (count * 4 + 255) / 256 * 256
        builder.buffers[buffer].byteSize += bytes
        return BufferSlice(buffer: buffer, offset: offset, size: count * 4)
    }

    /// Elements per token of a [T, ...] value.
    func perToken(_ value: ValueID) throws -> Int {
        let dims = graph.type(of: value).dims
        guard dims.first == .symbol("T") else {
            throw SmeltError("'%\(graph.name(of: value))': expected a [T, ...] tensor, got \(graph.type(of: value))")
        }
        return try dims.dropFirst().reduce(1) { total, dim in
            guard let v = dim.fixedValue else {
                throw SmeltError("'%\(graph.name(of: value))': dimension \(dim) must be fixed")
            }
            return total * v
        }
    }

    mutating func activation(_ value: ValueID) throws -> Int {
        let bytes = try perToken(value) * options.prefillChunk * 4
        return builder.addBuffer(PlannedBuffer(name: graph.name(of: value), role: .activation, byteSize: max(4, bytes)))
    }

    mutating func allocate() throws {
        control = builder.addBuffer(.init(name: "control", role: .control, byteSize: ControlBlock.wordCount * 4))
        tokens = builder.addBuffer(.init(name: "tokens", role: .tokens, byteSize: options.prefillChunk * 4))
        // The sampler reads the logits as a texel buffer of 4-logit texels.
        let logitsBytes = (vocabularySize + 3) / 4 * 16
        guard logitsBytes <= options.maxTexelBufferBytes else {
            throw SmeltError("the sampler reads the \(vocabularySize) logits as one texel buffer of \(logitsBytes) bytes; "
                + "the device's texel buffers hold at most \(options.maxTexelBufferBytes) bytes")
        }
        logits = builder.addBuffer(.init(name: "logits", role: .logits, byteSize: logitsBytes))
        output = builder.addBuffer(.init(name: "output", role: .output, byteSize: options.contextLength * 4))
        try planWeightGroups()
        for op in graph.ops { try allocate(op) }
    }

    /// Buffers (or weights) for `op`'s results; a fused op's members get
    /// their own (the per-op prefill path uses them) and its results alias
    /// the values its region yields.
    mutating func allocate(_ op: Op) throws {
        switch op.kind {
        case "input":
            if graph.name(of: op.result) == "tokens" { bufferOf[op.result] = tokens }
        case "weight":
            guard let name = op.attributes["name"]?.stringValue else {
                throw SmeltError("weight '%\(graph.name(of: op.result))' has no name", at: op.location)
            }
            if weightsByName[name] == nil { try packWeight(named: name) }
            weightOf[op.result] = weightsByName[name]
        case "reshape":
            bufferOf[op.result] = bufferOf[op.operands[0]]
        case "kv_write":
            let dims = graph.type(of: op.operands[0]).dims
            guard dims.count == 3, let heads = dims[1].fixedValue, let headDim = dims[2].fixedValue,
                  try perToken(op.operands[1]) == heads * headDim else {
                throw SmeltError("kv_write: k and v must be [T, kvHeads, headDim] of one shape", at: op.location)
            }
            let cache = try CacheLayout(op, heads: heads, headDim: headDim, capacity: options.contextLength)
            let layer = op.attributes["layer"]?.intValue ?? 0
            for (result, kind) in zip(op.results, ["k", "v"]) {
                bufferOf[result] = builder.addBuffer(.init(name: "\(kind)_cache.\(layer)", role: .kvCache,
                                                             byteSize: cache.bytes))
                cacheShape[result] = cache
            }
        case "logits":
            bufferOf[op.result] = logits
        case "fused":
            guard let region = op.region else { throw SmeltError("fused op without a region", at: op.location) }
            for member in region.ops { try allocate(member) }
            for (result, yielded) in zip(op.results, region.yields) {
                bufferOf[result] = bufferOf[yielded]
                cacheShape[result] = cacheShape[yielded]
            }
            try allocateFusedOutputs(op)
        default:
            for result in op.results { bufferOf[result] = try activation(result) }
        }
    }

    /// The slice a `tokens`-row list reads or writes for `value`.
    func view(_ value: ValueID, for op: Op, tokens t: Int) throws -> BufferSlice {
        if t == 1, let view = decodeViews[value] { return view }
        return builder.whole(try buffer(value, for: op))
    }

    func buffer(_ value: ValueID, for op: Op) throws -> Int {
        guard let b = bufferOf[value] else {
            throw SmeltError("\(op.kind): operand '%\(graph.name(of: value))' has no device buffer", at: op.location)
        }
        return b
    }

    func weight(_ value: ValueID, for op: Op) throws -> LoweredWeight {
        guard let w = weightOf[value] else {
            throw SmeltError("\(op.kind): operand '%\(graph.name(of: value))' must be a weight", at: op.location)
        }
        return w
    }
}

/// A layer's KV cache as `select-kv-layout` chose it (kv_write's `dtype`
/// and `layout`): element (position, head, d) at `position · posStride +
/// head · headStride + d`, stored as `element` says.
struct CacheLayout {
    var heads: Int
    var headDim: Int
    var capacity: Int
    var element: KVCacheElement
    var headMajor: Bool

    init(_ op: Op, heads: Int, headDim: Int, capacity: Int) throws {
        self.heads = heads
        self.headDim = headDim
        self.capacity = capacity
        let dtype = op.attributes["dtype"]?.symbolValue ?? "f32"
        guard let element = KVCacheElement(rawValue: dtype) else {
            throw SmeltError("kv_write: the Vulkan backend stores KV caches as f32, f16 or q8_0, not \(dtype)",
                             at: op.location)
        }
        self.element = element
        headMajor = op.attributes["layout"]?.symbolValue == "head_major"
        guard headDim % element.headDimMultiple == 0 else {
            throw SmeltError("kv_write: a \(dtype) cache needs a head size that is a multiple of "
                + "\(element.headDimMultiple), got \(headDim)", at: op.location)
        }
    }

    var posStride: Int { headMajor ? headDim : heads * headDim }
    var headStride: Int { headMajor ? capacity * headDim : headDim }
    var elements: Int { capacity * heads * headDim }
    var bytes: Int { element.cacheBytes(elements: elements) }
    /// Push-constant words of the layout: posStride, headStride, scales.
    var strideWords: [UInt32] { [posStride.word, headStride.word, element.scalesWord(elements: elements).word] }
}
