import Foundation
import SmeltArtifact
import SmeltCodegen
import SmeltIR
import SmeltModels

/// `smelt compile`: a model config in, one `.smelt` artifact out.
public enum ArtifactCompiler {
    /// A line of progress, for long compiles.
    public typealias Progress = (String) -> Void

    public static func compile(modelPath: String, profile: DeviceProfile, output: String,
                               progress: @escaping Progress = { _ in }) throws {
        var start = DispatchTime.now()
        func step(_ what: String) {
            progress(String(format: "%@ (%.1f s)", what, seconds(since: start)))
            start = DispatchTime.now()
        }
        let model = try ModelLoader.load(modelPath)
        step("loaded \(model.config.name): \(model.graph.ops.count) ops, \(model.graph.weights.count) weights")
        let lowered = try Lowering.lower(graph: model.graph, store: model.store, options: LoweringOptions(
            modelName: model.config.name, contextLength: model.config.contextLength,
            prefillChunk: profile.prefillChunk,
            maxTexelBufferBytes: profile.maxTexelBufferElements * 16,
            maxUniformBufferRange: profile.maxUniformBufferRange))
        let plan = lowered.plan
        step("lowered for \(profile.name): \(plan.kernels.count) kernels compiled to SPIR-V, "
             + "\(plan.decode.filter { if case .dispatch = $0 { true } else { false } }.count) dispatches per decode step, "
             + String(format: "%.1f MB of packed weights", Double(lowered.weights.count) / 1e6))
        let graphText = model.graph.text
        let manifest = ArtifactManifest(
            modelName: model.config.name, architecture: (model.store as? GGUFFile)?.architecture,
            hyperparameters: ArtifactManifest.configValues(model.config.hyperparameters),
            contextLength: model.config.contextLength, graphHash: ArtifactManifest.contentHash(graphText),
            pipeline: "none", deviceProfile: profile.name,
            fusionPlan: "per-op: one kernel per op (no fusion passes yet)")
        let chatTemplate = (model.store as? GGUFFile).flatMap { try? $0.string("tokenizer.chat_template") }
        // A model without a tokenizer (synthetic weights) stores an empty one.
        let tokenizerData = model.tokenizer.map {
            TokenizerData($0.vocabulary, chatTemplate: chatTemplate, architecture: (model.store as? GGUFFile)?.architecture)
        } ?? TokenizerData.none
        var lastPhase = ""
        try ArtifactWriter.write(to: output, manifest: manifest, plan: plan, weights: lowered.weights,
                                 tokenizer: tokenizerData) { p in
            if p.phase.rawValue != lastPhase {
                lastPhase = p.phase.rawValue
                if p.phase != .done { progress("\(p.phase.rawValue) \(output)") }
            }
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        step(String(format: "wrote %@ (%.1f MB)", output, Double(size) / 1e6))
    }
}

extension TokenizerData {
    /// What an artifact of a model without a tokenizer stores.
    static let none = TokenizerData(model: "none", tokens: [], scores: [], tokenTypes: [], bosID: 0, eosID: 0,
                                    unknownID: nil, paddingID: nil, addBOS: false, addSpacePrefix: false,
                                    chatTemplate: nil, architecture: nil)
}
