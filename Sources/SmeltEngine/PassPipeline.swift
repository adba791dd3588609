import SmeltIR
import SmeltModels
import SmeltPasses

/// How `smelt compile`, `smelt plan` and in-memory Vulkan runs transform a
/// model's graph before lowering.
public struct PipelineOptions: Sendable {
    public var pipeline: Pipeline
    public var disabledPasses: Set<String>
    /// `--quant`: one format for every weight matrix.
    public var quant: DType?
    /// `--kv-cache`: the KV cache's element type.
    public var kvCache: DType?
    public var profile: DeviceProfile

    public init(pipeline: Pipeline, disabledPasses: Set<String> = [], quant: DType? = nil, kvCache: DType? = nil,
                profile: DeviceProfile = .lavapipe) {
        self.kvCache = kvCache
        self.pipeline = pipeline
        self.disabledPasses = disabledPasses
        self.quant = quant
        self.profile = profile
    }

    /// The pipeline `name` (configs/pipelines, or the built-in text) with
    /// no overrides.
    public static func named(_ name: String) throws -> PipelineOptions {
        PipelineOptions(pipeline: try Pipeline.load(name))
    }

    /// The per-op pipeline: the graph as written, weights as stored.
    public static var none: PipelineOptions { PipelineOptions(pipeline: (try? Pipeline.load("none")) ?? Pipeline(name: "none", passes: [])) }
}

extension LoadedModel {
    /// The model after the pipeline's passes: the transformed graph, and a
    /// weight store that serves the converted formats the passes chose.
    /// `afterEach` sees the graph after each pass (`--print-after`).
    public func applying(_ options: PipelineOptions,
                         afterEach: (String, Graph) -> Void = { _, _ in }) throws -> (LoadedModel, PassContext) {
        let context = PassContext(profile: options.profile, contextLength: config.contextLength,
                                  quantOverride: options.quant, kvCacheOverride: options.kvCache)
        let manager = try PassManager(pipeline: options.pipeline, disabled: options.disabledPasses)
        var model = self
        model.graph = try manager.run(graph, context: context, afterEach: afterEach)
        model.store = ConvertedWeightStore.applying(model.graph, to: store)
        return (model, context)
    }
}
