import Foundation
import SmeltArtifact

/// Runs an `ExecutionPlan` on one device: allocates its buffers, writes
/// the weights in place, builds a pipeline per kernel, records the decode
/// and prefill command lists once each, and replays them.
///
/// Step protocol (see `ExecutionPlan`): the host writes tokens and the
/// control block, submits; each list samples on the device and advances
/// the position, so decode steps need no host writes at all.
public final class VulkanRuntime {
    public let plan: ExecutionPlan
    public let device: VulkanDevice
    public let allocator: MemoryAllocator
    let buffers: [Buffer]
    let pipelines: [ComputePipeline]
    let pool: DescriptorPool
    /// Kept alive for the recorded command buffers.
    let sets: [DescriptorSet]
    let decodeCommands: CommandBuffer
    /// The prefill list up to its tail (every chunk), and the tail (the
    /// last chunk: output projection and sampler); nil when the plan has
    /// no tail.
    let prefillCommands: CommandBuffer
    let prefillTailCommands: CommandBuffer?
    /// The prefill list's matmul tiles, skipped past a chunk's tokens.
    let tileGates: TileGates
    /// The score list, recorded on the first `score` call.
    var scoreList: ScoreList?
    /// What `pipelineCachePath` reported when the pipelines were made.
    public let pipelineCacheOrigin: PipelineCache.Origin

    /// Counters of the replay model.
    public struct Counters: Sendable, Equatable {
        public var decodeDispatches = 0
        public var prefillDispatches = 0
        /// Recordings of every command buffer so far (constant after init).
        public var recordings = 0
        /// Sum of `bytesMoved` over the decode list.
        public var decodeBytes = 0
        public var peakDeviceMemory = 0
        public var decodeSubmissions = 0
        public var prefillSubmissions = 0
        /// Matmul tiles the last prefill or score chunk skipped (past its tokens).
        public var skippedTiles = 0
    }

    public internal(set) var counters = Counters()

    /// - Parameters:
    ///   - weights: the blob the plan's weight buffers point into.
    ///   - pipelineCachePath: a pipeline cache file to load and save
    ///     (created when missing); nil keeps no cache.
    public init(plan: ExecutionPlan, weights: UnsafeRawBufferPointer, device: VulkanDevice,
                pipelineCachePath: String? = nil) throws {
        self.plan = plan
        self.device = device
        allocator = try MemoryAllocator(device: device)
        try Self.validate(plan, weightBytes: weights.count)

        var buffers: [Buffer] = []
        for (index, planned) in plan.buffers.enumerated() {
            // The score list's logits are allocated when first scored
            // (`ScoreList`); the slot holds a 4-byte stand-in nothing binds.
            let size = planned.role == .scoreLogits ? 4 : max(4, planned.byteSize)
            let buffer = try allocator.makeBuffer(size: size, label: "\(index):\(planned.name)")
            if planned.role == .counters {
                try buffer.write([UInt8](repeating: 0, count: planned.byteSize))
            }
            if let offset = planned.weightOffset {
                try buffer.write(UnsafeRawBufferPointer(rebasing: weights[offset ..< offset + planned.byteSize]))
            }
            buffers.append(buffer)
        }
        self.buffers = buffers
        try buffers[plan.controlBuffer].write([UInt32](repeating: 0, count: ControlBlock.wordCount))

        let cache = try PipelineCache(device: device, path: pipelineCachePath)
        pipelineCacheOrigin = cache.origin
        pipelines = try plan.kernels.map { kernel in
            try ComputePipeline(device: device, description: ComputePipelineDescription(
                name: kernel.name, spirv: kernel.spirv,
                bindings: (0 ..< kernel.bindingCount).map {
                    .init(binding: $0, kind: kernel.texelBindings.contains($0) ? .uniformTexelBuffer
                          : kernel.uniformBindings.contains($0) ? .uniformBuffer : .storageBuffer)
                },
                pushConstantBytes: kernel.pushConstantBytes, specialization: kernel.specialization), cache: cache)
        }
        if let pipelineCachePath {
            try? FileManager.default.createDirectory(
                at: URL(fileURLWithPath: pipelineCachePath).deletingLastPathComponent(), withIntermediateDirectories: true)
            try? cache.save(to: pipelineCachePath)
        }

        pool = try Self.makePool(for: plan.decode + plan.prefill, plan: plan, device: device)
        let gates = try TileGates(plan.prefill, allocator: allocator, label: "prefill tile arguments")
        tileGates = gates
        var sets: [DescriptorSet] = []
        decodeCommands = try CommandBuffer(device: device, allowsSimultaneousUse: true)
        prefillCommands = try CommandBuffer(device: device, allowsSimultaneousUse: true)
        let tail = plan.prefillTail ?? plan.prefill.count
        prefillTailCommands = tail < plan.prefill.count ? try CommandBuffer(device: device, allowsSimultaneousUse: true) : nil
        var lists = [(plan.decode, decodeCommands), (Array(plan.prefill[..<tail]), prefillCommands)]
        if let prefillTailCommands { lists.append((Array(plan.prefill[tail...]), prefillTailCommands)) }
        for (list, commands) in lists {
            // Gated dispatches are the prefill list's (validation keeps them
            // out of the decode list): its body and tail, in order.
            sets += try Self.record(list, pool: pool, pipelines: pipelines, into: commands,
                                    indirect: gates.indirect) { buffers[$0] }
        }
        self.sets = sets
        counters.decodeDispatches = decodeCommands.dispatchCount
        counters.prefillDispatches = prefillCommands.dispatchCount + (prefillTailCommands?.dispatchCount ?? 0)
        counters.decodeBytes = plan.decode.reduce(0) { total, command in
            if case .dispatch(let d) = command { return total + d.bytesMoved }
            return total
        }
        counters.peakDeviceMemory = allocator.statistics.peakUsedBytes
        counters.recordings = recordingCount
    }

    /// A descriptor pool with a set for every dispatch of `list`.
    static func makePool(for list: [PlanCommand], plan: ExecutionPlan, device: VulkanDevice) throws -> DescriptorPool {
        let dispatches = list.compactMap { command -> PlannedDispatch? in
            if case .dispatch(let d) = command { return d } else { return nil }
        }
        let texels = dispatches.reduce(0) { $0 + plan.kernels[$1.kernel].texelBindings.count }
        let uniforms = dispatches.reduce(0) { $0 + plan.kernels[$1.kernel].uniformBindings.count }
        return try DescriptorPool(device: device, maxSets: max(1, dispatches.count),
                                  storageBuffers: max(1, dispatches.reduce(0) { $0 + $1.bindings.count } - texels - uniforms),
                                  uniformBuffers: uniforms, uniformTexelBuffers: texels)
    }

    /// Writes a descriptor set for every dispatch of `list` (plan buffer
    /// ids resolved by `buffer`) and records the list into `commands`;
    /// returns the sets, which must outlive the recording.
    /// A dispatch `indirect` gives arguments for runs indirectly from them.
    static func record(_ list: [PlanCommand], pool: DescriptorPool, pipelines: [ComputePipeline],
                       into commands: CommandBuffer, indirect: (PlannedDispatch) -> (Buffer, Int)? = { _ in nil },
                       buffer: (Int) -> Buffer) throws -> [DescriptorSet] {
        var sets: [DescriptorSet] = []
        for case .dispatch(let d) in list {
            let set = try pool.makeSet(for: pipelines[d.kernel])
            for (binding, slice) in d.bindings.enumerated() {
                try set.write(binding: binding, buffer(slice.buffer).range(offset: slice.offset, size: slice.size))
            }
            sets.append(set)
        }
        try record(list, sets: sets, pipelines: pipelines, into: commands, indirect: indirect)
        return sets
    }

    static func record(_ list: [PlanCommand], sets: [DescriptorSet], pipelines: [ComputePipeline],
                       into commands: CommandBuffer,
                       indirect: (PlannedDispatch) -> (Buffer, Int)? = { _ in nil }) throws {
        try commands.record { r in
            // Orders this replay after everything submitted before it.
            r.barrier(.computeToCompute)
            var next = 0
            var bound = -1
            for command in list {
                switch command {
                case .barrier:
                    r.barrier(.computeToCompute)
                case .dispatch(let d):
                    if d.kernel != bound {
                        r.bind(pipelines[d.kernel])
                        bound = d.kernel
                    }
                    try r.bind(sets[next])
                    next += 1
                    if !d.pushConstants.isEmpty {
                        try r.pushConstants(d.pushConstants.withUnsafeBytes { Array($0) })
                    }
                    if let (arguments, offset) = indirect(d) {
                        try r.dispatchIndirect(arguments, offset: offset)
                    } else {
                        try r.dispatch(d.groups[0], d.groups.count > 1 ? d.groups[1] : 1, d.groups.count > 2 ? d.groups[2] : 1)
                    }
                }
            }
            r.barrier(.computeToHost)
        }
    }

    /// Refuses a plan the runtime could not follow safely (the checks an
    /// artifact's plan passes when it is written and read).
    static func validate(_ plan: ExecutionPlan, weightBytes: Int) throws {
        if let problem = plan.validationProblem(weightsBytes: weightBytes) {
            throw VulkanError.invalidArgument("invalid execution plan: \(problem)")
        }
    }
}
