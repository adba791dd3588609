import Testing
import SmeltArtifact
import SmeltCodegen
import SmeltVulkan

/// The `sample` kernel alone as the decode list of a runtime: control
/// block, logits (padded to whole texels), tokens and an output ring.
final class SamplerRig {
    let runtime: VulkanRuntime
    let vocab: Int
    let capacity: Int

    init(device: VulkanDevice, vocab: Int, capacity: Int = 32) throws {
        self.vocab = vocab
        self.capacity = capacity
        let spec = KernelSpec.sample
        let spirv = try Self.spirv.get()
        let sizes = [ControlBlock.wordCount * 4, (vocab + 3) / 4 * 16, 4, capacity * 4]
        let buffers = zip(["control", "logits", "tokens", "output"], sizes).map {
            PlannedBuffer(name: $0, role: .activation, byteSize: $1)
        }
        let dispatch = PlannedDispatch(
            kernel: 0, bindings: sizes.indices.map { BufferSlice(buffer: $0, offset: 0, size: sizes[$0]) },
            pushConstants: [UInt32(vocab), UInt32(capacity)], groups: [1, 1, 1], label: "sample", bytesMoved: 0)
        let plan = ExecutionPlan(modelName: "sampler-test", vocabularySize: vocab, contextLength: capacity,
                                 prefillChunk: 1, kernels: [PlannedKernel(spec: spec, spirv: spirv)], buffers: buffers,
                                 decode: [.dispatch(dispatch)], prefill: [], controlBuffer: 0, tokensBuffer: 2,
                                 logitsBuffer: 1, outputBuffer: 3)
        runtime = try [UInt8]().withUnsafeBytes { try VulkanRuntime(plan: plan, weights: $0, device: device) }
    }

    /// Compiled once for every rig (shaderc takes ~0.5 s for this kernel).
    static let spirv = Swift.Result<[UInt32], any Error> {
        try ShaderCompiler().compile(try KernelGenerator.glsl(for: .sample, library: .runtime), name: KernelSpec.sample.name)
    }

    struct Outcome {
        /// The token of each replay, from the output ring.
        var tokens: [Int32]
        var position: Int
        var rngState: UInt64
        var status: UInt32
    }

    /// Replays the kernel `steps` times in one submission on `logits`, from
    /// position 0 with the given sampler words.
    func sample(_ logits: [Float], temperature: Float, topK: Int = 0, topP: Float = 1, rngState: UInt64,
                steps: Int = 1) throws -> Outcome {
        precondition(logits.count == vocab && steps < capacity)
        try runtime.reset()
        try runtime.buffer(0).write([UInt32(0), 1], at: ControlBlock.position * 4)
        try runtime.setSampler(temperature: temperature, topK: topK, topP: topP, rngState: rngState)
        try runtime.buffer(1).write(logits)
        try runtime.replayDecode(times: steps)
        let tokens = try runtime.buffer(3).read(Int32.self, count: steps, from: 4)
        #expect(try runtime.lastToken() == tokens.last)
        return Outcome(tokens: tokens, position: try runtime.position, rngState: try runtime.rngState,
                      status: try runtime.takeSamplerStatus())
    }
}
