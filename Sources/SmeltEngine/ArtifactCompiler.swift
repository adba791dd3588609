import Foundation
import SmeltArtifact
import SmeltCodegen
import SmeltIR
import SmeltModels
import SmeltPasses

/// `smelt compile`: a model config in, one `.smelt` artifact out; and
/// `smelt plan`: the same compilation, reported instead of written.
public enum ArtifactCompiler {
    /// A line of progress, for long compiles.
    public typealias Progress = (String) -> Void

    /// A model through the pipeline and the lowering.
    public struct Compiled {
        public var model: LoadedModel
        public var lowered: LoweredModel
        public var report: PlanReport
    }

    /// Loads, transforms and lowers a model; `compileShaders: false` skips
    /// shaderc (for plans).
    public static func build(modelPath: String, options: PipelineOptions, compileShaders: Bool = true,
                             afterPass: (String, Graph) -> Void = { _, _ in },
                             progress: @escaping Progress = { _ in }) throws -> Compiled {
        var start = DispatchTime.now()
        func step(_ what: String) {
            progress(String(format: "%@ (%.1f s)", what, seconds(since: start)))
            start = DispatchTime.now()
        }
        let loaded = try ModelLoader.load(modelPath)
        step("loaded \(loaded.config.name): \(loaded.graph.ops.count) ops, \(loaded.graph.weights.count) weights")
        let (model, context) = try loaded.applying(options, afterEach: afterPass)
        let ran = context.timings.map(\.pass)
        step("pipeline '\(options.pipeline.name)': " + (ran.isEmpty ? "no passes" : ran.joined(separator: ", ")))
        let profile = options.profile
        let lowered = try Lowering.lower(graph: model.graph, store: model.store, options: LoweringOptions(
            modelName: model.config.name, contextLength: model.config.contextLength,
            prefillChunk: profile.prefillChunk,
            maxTexelBufferBytes: profile.maxTexelBufferElements * 16,
            maxUniformBufferRange: profile.maxUniformBufferRange, maxStorageBufferRange: profile.maxStorageBufferRange,
            attentionSplits: LoweringOptions.attentionSplits(contextLength: model.config.contextLength,
                                                             most: profile.attentionSplits ?? 16),
            attentionLanes: profile.attentionLanes),
            compileShaders: compileShaders)
        let report = PlanReporter.report(graph: model.graph, lowered: lowered, context: context, options: options, ran: ran)
        step("lowered for \(profile.name): \(lowered.plan.kernels.count) kernels"
             + (compileShaders ? " compiled to SPIR-V" : "") + ", \(report.decode.dispatches) dispatches per decode step, "
             + String(format: "%.1f MB of packed weights", Double(lowered.weights.count) / 1e6))
        return Compiled(model: model, lowered: lowered, report: report)
    }

    public static func compile(modelPath: String, options: PipelineOptions, output: String,
                               afterPass: (String, Graph) -> Void = { _, _ in },
                               report: (PlanReport) -> Void = { _ in },
                               progress: @escaping Progress = { _ in }) throws {
        let compiled = try build(modelPath: modelPath, options: options, afterPass: afterPass, progress: progress)
        let (model, lowered) = (compiled.model, compiled.lowered)
        report(compiled.report)
        let start = DispatchTime.now()
        let graphText = model.graph.text
        let gguf = (model.store as? GGUFFile) ?? ((model.store as? ConvertedWeightStore)?.base as? GGUFFile)
        let manifest = ArtifactManifest(
            modelName: model.config.name, architecture: gguf?.architecture,
            hyperparameters: ArtifactManifest.configValues(model.config.hyperparameters),
            contextLength: model.config.contextLength, graphHash: ArtifactManifest.contentHash(graphText),
            pipeline: options.pipeline.name, deviceProfile: options.profile.name,
            fusionPlan: compiled.report.text, plan: compiled.report)
        let chatTemplate = gguf.flatMap { try? $0.string("tokenizer.chat_template") }
        // A model without a tokenizer (synthetic weights) stores an empty one.
        let tokenizerData = model.tokenizer.map {
            TokenizerData($0.vocabulary, chatTemplate: chatTemplate, architecture: gguf?.architecture)
        } ?? TokenizerData.none
        var lastPhase = ""
        try ArtifactWriter.write(to: output, manifest: manifest, plan: lowered.plan, weights: lowered.weights,
                                 tokenizer: tokenizerData) { p in
            if p.phase.rawValue != lastPhase {
                lastPhase = p.phase.rawValue
                if p.phase != .done { progress("\(p.phase.rawValue) \(output)") }
            }
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        progress(String(format: "wrote %@ (%.1f MB) (%.1f s)", output, Double(size) / 1e6, seconds(since: start)))
    }
}

extension TokenizerData {
    /// What an artifact of a model without a tokenizer stores.
    static let none = TokenizerData(model: "none", tokens: [], scores: [], tokenTypes: [], bosID: 0, eosID: 0,
                                    unknownID: nil, paddingID: nil, addBOS: false, addSpacePrefix: false,
                                    chatTemplate: nil, architecture: nil)
}
