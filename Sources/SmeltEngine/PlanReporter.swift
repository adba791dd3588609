import Foundation
import SmeltArtifact
import SmeltCodegen
import SmeltIR
import SmeltPasses

/// Builds `PlanReport`s from a compiled graph, its lowering and the passes'
/// remarks.
public enum PlanReporter {
    public static func report(graph: Graph, lowered: LoweredModel, context: PassContext, options: PipelineOptions,
                              ran: [String]) -> PlanReport {
        let plan = lowered.plan
        var layers: [PlanReport.Layer] = []
        for (position, op) in graph.ops.enumerated() {
            guard let cost = lowered.decodeCost[position], cost.dispatches > 0 else { continue }
            let members = op.region?.ops ?? [op]
            let kernel = PlanReport.Kernel(
                kernel: op.kind == "fused" ? (op.attributes["kernel"]?.stringValue ?? "fused") : op.kind,
                ops: members.filter { $0.kind != "reshape" }.map {
                    "\($0.kind) %" + graph.name(of: $0.result).replacingOccurrences(of: ".inner", with: "")
                },
                dispatches: cost.dispatches, bytesPerToken: cost.bytesMoved)
            let layer = layerIndex(graph.name(of: op.results.last ?? op.result))
            if let last = layers.last, last.index == layer {
                layers[layers.count - 1].kernels.append(kernel)
            } else {
                layers.append(PlanReport.Layer(index: layer, kernels: [kernel]))
            }
        }
        let sampler = plan.decode.filter { if case .dispatch(let d) = $0 { d.label == "sample" } else { false } }.count
        if sampler > 0 {
            let kernel = PlanReport.Kernel(kernel: "sample", ops: ["sample (argmax or temperature/top-k/top-p)"],
                                           dispatches: sampler,
                                           bytesPerToken: plan.vocabularySize * 4)
            if layers.last?.index == nil, !layers.isEmpty {
                layers[layers.count - 1].kernels.append(kernel)
            } else {
                layers.append(PlanReport.Layer(index: nil, kernels: [kernel]))
            }
        }
        let chosen = Dictionary(context.remarks.filter { $0.pass == "select-quant" }.map { ($0.subject, $0) },
                                uniquingKeysWith: { a, _ in a })
        let weights = graph.weights.compactMap { op -> PlanReport.WeightChoice? in
            guard graph.type(of: op.result).rank == 2, let name = op.attributes["name"]?.stringValue,
                  let stored = graph.type(of: op.result).dtype else { return nil }
            let quant = op.attributes["quant"]?.symbolValue ?? stored.rawValue
            return PlanReport.WeightChoice(name: name, stored: stored.rawValue, chosen: quant, reason: chosen[name]?.reason)
        }
        var memory: [String: Int] = [:]
        for buffer in plan.buffers { memory[buffer.role.rawValue, default: 0] += buffer.byteSize }
        let kvBytes = memory["kv_cache"] ?? 0
        let barriers = plan.decode.filter { if case .barrier = $0 { true } else { false } }.count
        return PlanReport(
            model: plan.modelName, pipeline: options.pipeline.name,
            passes: context.timings.map { run in
                PlanReport.PassRun(name: run.pass, milliseconds: run.seconds * 1000,
                                   statistics: context.statistics[run.pass] ?? [:])
            },
            deviceProfile: options.profile.name,
            decode: .init(dispatches: plan.decode.filter { if case .dispatch = $0 { true } else { false } }.count,
                          barriers: barriers, bytesPerToken: lowered.decodeCost.values.reduce(0) { $0 + $1.bytesMoved }
                              + (sampler > 0 ? plan.vocabularySize * 4 : 0)),
            layers: layers, weights: weights,
            kvCache: kvCache(graph: graph, context: context, bytes: kvBytes, contextLength: plan.contextLength),
            memory: memory,
            declined: context.declined.map { .init(pass: $0.pass, subject: $0.subject, location: $0.location, reason: $0.reason) }
                + lowered.remarks.map { .init(pass: "lowering", subject: "fused", location: "", reason: $0) },
            megakernel: options.profile.coresidentWorkgroups
                ? .init(enabled: false, reason: "no persistent megakernel pass exists yet")
                : .init(enabled: false, reason: "the \(options.profile.name) profile does not state that all "
                    + "workgroups are co-resident, so a device-wide barrier could deadlock"),
            activations: lowered.activationMemory)
    }

    /// `q.3` → 3; names without a layer suffix → nil.
    static func layerIndex(_ name: String) -> Int? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        return Int(name[name.index(after: dot)...])
    }

    /// The cache select-kv-layout chose (kv_write's `dtype` and `layout`), or f32 token-major.
    private static func kvCache(graph: Graph, context: PassContext, bytes: Int, contextLength: Int) -> PlanReport.KVCache {
        let write = graph.ops.flatMap { [$0] + ($0.region?.ops ?? []) }.first { $0.kind == "kv_write" }
        let layout = (write?.attributes["layout"]?.symbolValue ?? "token_major").replacingOccurrences(of: "_", with: "-")
        let dtype = write?.attributes["dtype"]?.symbolValue ?? "f32"
        let chosen = context.remarks.first { $0.pass == "select-kv-layout" }?.reason
            ?? "f32 token-major: no select-kv-layout pass in this pipeline"
        return .init(layout: layout, dtype: dtype, bytes: bytes,
                     reason: chosen + "; \(contextLength) tokens preallocated")
    }
}
