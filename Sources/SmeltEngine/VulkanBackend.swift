import Foundation
import SmeltArtifact
import SmeltCodegen
import SmeltIR
import SmeltModels
import SmeltVulkan

/// Runs a model on a Vulkan device through a lowered `ExecutionPlan`.
///
/// Decoding stays on the device, greedy or sampled: each step replays the
/// recorded decode list, which samples (argmax, or temperature/top-k/top-p
/// with the control block's SplitMix64 state) and feeds itself the token.
/// A step given other tokens (the prompt, teacher forcing) goes through the
/// prefill list with those tokens written first. The generator is seeded
/// like the reference backend's, so a seed gives its tokens as long as the
/// logits agree (see docs/Vulkan.md for where f32 sampling can differ).
public final class VulkanBackend: InferenceBackend {
    public let name = "vulkan"
    public let runtime: VulkanRuntime
    /// The token the device holds in tokens[0] after the last step.
    private var deviceToken: Int32?

    /// Lowers and compiles `model` in memory, then opens the runtime.
    /// - Parameters:
    ///   - deviceIndex: as listed by `smelt devices`; nil picks the best.
    ///   - validation: enable the Khronos validation layer (slow).
    ///   - attentionLanes: the attention kernel; nil picks by device type.
    public convenience init(model: LoadedModel, deviceIndex: Int? = nil, prefillChunk: Int = 64,
                            validation: Bool = false, attentionLanes: AttentionLanes? = nil,
                            pipelineCachePath: String? = VulkanBackend.defaultCachePath) throws {
        let instance = try VulkanInstance(.init(validation: validation, synchronizationValidation: validation,
                                                applicationName: "smelt"))
        let device = try VulkanDevice(instance: instance, deviceIndex: deviceIndex)
        try self.init(model: model, device: device, prefillChunk: prefillChunk, attentionLanes: attentionLanes,
                      pipelineCachePath: pipelineCachePath)
    }

    /// Lowers `model` for an already opened device (tests pass a validated
    /// one). `maxWeightBinding` (bytes) below the device's texel-buffer
    /// range forces smaller weight windows (to test the windowing on small
    /// models).
    /// `attentionSplits`: workgroups per head for decode attention; nil
    /// splits by context length on GPUs and not at all on CPU devices
    /// (lavapipe), whose threads the query heads already fill.
    /// `attentionLanes`: nil takes queries on CPU devices, keys on GPUs.
    public convenience init(model: LoadedModel, device: VulkanDevice, prefillChunk: Int = 64,
                            maxWeightBinding: Int? = nil, attentionSplits: Int? = nil,
                            attentionLanes: AttentionLanes? = nil, pipelineCachePath: String? = nil) throws {
        let lowered = try Lowering.lower(graph: model.graph, store: model.store, options: Self.loweringOptions(
            for: model, device: device, prefillChunk: prefillChunk, maxWeightBinding: maxWeightBinding,
            attentionSplits: attentionSplits, attentionLanes: attentionLanes))
        try self.init(plan: lowered.plan, weights: lowered.weights, device: device,
                      pipelineCachePath: pipelineCachePath)
    }

    /// The lowering options for `model` on an opened device: its limits, and
    /// (where nil) decode-attention splits by context length on GPUs and none
    /// on CPU devices, queries in the attention lanes on CPU devices and keys
    /// on GPUs.
    public static func loweringOptions(for model: LoadedModel, device: VulkanDevice, prefillChunk: Int = 64,
                                       maxWeightBinding: Int? = nil, attentionSplits: Int? = nil,
                                       attentionLanes: AttentionLanes? = nil) -> LoweringOptions {
        let deviceRange = Int(device.info.limits.maxTexelBufferElements) * DescriptorSet.texelBytes
        let cpu = device.info.type == .cpu
        return LoweringOptions(
            modelName: model.config.name, contextLength: model.config.contextLength, prefillChunk: prefillChunk,
            maxTexelBufferBytes: min(deviceRange, maxWeightBinding ?? deviceRange),
            maxUniformBufferRange: Int(device.info.limits.maxUniformBufferRange),
            maxStorageBufferRange: Int(min(device.info.limits.maxStorageBufferRange, UInt64(Int32.max))),
            attentionSplits: attentionSplits ?? LoweringOptions.attentionSplits(
                contextLength: model.config.contextLength, most: cpu ? 1 : 16),
            attentionLanes: attentionLanes ?? (cpu ? .queries : .keys))
    }

    /// Runs a plan with its weights blob.
    public init(plan: ExecutionPlan, weights: [UInt8], device: VulkanDevice, pipelineCachePath: String? = nil) throws {
        runtime = try weights.withUnsafeBytes {
            try VulkanRuntime(plan: plan, weights: $0, device: device, pipelineCachePath: pipelineCachePath)
        }
    }

    /// Runs a compiled artifact: neither the checkpoint nor shaderc is needed.
    public convenience init(artifact: Artifact, deviceIndex: Int? = nil, validation: Bool = false,
                            pipelineCachePath: String? = VulkanBackend.defaultCachePath) throws {
        let instance = try VulkanInstance(.init(validation: validation, synchronizationValidation: validation,
                                                applicationName: "smelt"))
        let device = try VulkanDevice(instance: instance, deviceIndex: deviceIndex)
        try self.init(artifact: artifact, device: device, pipelineCachePath: pipelineCachePath)
    }

    /// Runs a compiled artifact on an opened device; the weights are read
    /// straight from the artifact's mapping.
    public init(artifact: Artifact, device: VulkanDevice, pipelineCachePath: String? = nil) throws {
        runtime = try withExtendedLifetime(artifact) {
            try VulkanRuntime(plan: artifact.plan, weights: artifact.weights, device: device,
                              pipelineCachePath: pipelineCachePath)
        }
    }

    /// ~/.cache/smelt/pipelines.bin; the cache checks the device UUID itself.
    public static var defaultCachePath: String? {
        guard let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.cache/smelt/pipelines.bin"
    }

    public var contextLength: Int { runtime.plan.contextLength }
    public var vocabularySize: Int { runtime.plan.vocabularySize }
    public var position: Int { (try? runtime.position) ?? 0 }

    public var counters: BackendCounters {
        var c = BackendCounters()
        c.dispatchesPerToken = runtime.counters.decodeDispatches
        c.commandBufferRecordings = runtime.recordingCount
        c.bytesPerToken = runtime.counters.decodeBytes
        c.peakDeviceMemory = runtime.counters.peakDeviceMemory
        c.deviceName = runtime.device.info.name
        c.driverName = runtime.device.info.driverName
        return c
    }

    public func reset(sampling: SamplingParameters) throws {
        try sampling.validate()
        try runtime.reset()
        try runtime.setSampler(temperature: sampling.temperature, topK: sampling.topK, topP: sampling.topP,
                               rngState: SplitMix64(seed: sampling.seed).state)
        deviceToken = nil
    }

    public func step(_ tokens: [Int32]) throws -> Int32 {
        let sampled: Int32
        if tokens.count == 1, let held = deviceToken, held == tokens[0] {
            deviceToken = nil
            sampled = try runtime.decode(steps: 1)[0]
        } else {
            deviceToken = nil
            sampled = try runtime.prefill(tokens)
        }
        try checkSampler()
        deviceToken = sampled
        return sampled
    }

    /// Decodes `count` tokens after `prompt` on the device, several decode
    /// steps per submission; the tokens equal repeated `step` calls.
    public func generate(prompt: [Int32], count: Int, sampling: SamplingParameters = .greedy,
                         stepsPerSubmit: Int = 8) throws -> [Int32] {
        try reset(sampling: sampling)
        var out = [try runtime.prefill(prompt)]
        try checkSampler()
        while out.count < count {
            out += try runtime.decode(steps: min(stepsPerSubmit, count - out.count))
            try checkSampler()
        }
        deviceToken = out.last
        return Array(out.prefix(count))
    }

    /// Greedy `generate`.
    public func generateGreedy(prompt: [Int32], count: Int, stepsPerSubmit: Int = 8) throws -> [Int32] {
        try generate(prompt: prompt, count: count, sampling: .greedy, stepsPerSubmit: stepsPerSubmit)
    }

    /// Throws if the device sampler reported logits it could not sample.
    private func checkSampler() throws {
        guard try runtime.takeSamplerStatus() == 0 else {
            deviceToken = nil
            throw SmeltError("the logits at position \(max(position - 1, 0)) are all NaN or, with a temperature, "
                + "have no finite maximum: there is nothing to sample", hint: "the model produced non-finite values")
        }
    }

    /// Teacher-forced logits of every token: a chunk of up to the prefill
    /// chunk per replay of the score list, which writes every row's logits
    /// (a token at a time through the prefill list when the plan has none).
    public func scoreLogits(_ tokens: [Int32]) throws -> [Float] {
        deviceToken = nil
        return try runtime.score(tokens)
    }
}
