import Foundation
import SmeltArtifact

/// `smelt plan`'s readable forms: a report that fits a terminal, and a
/// Graphviz graph of the decode kernels.
extension PlanReport {
    public var text: String {
        var out: [String] = []
        out.append("Plan for \(model) · pipeline '\(pipeline)' · device profile '\(deviceProfile)'")
        out.append("Passes: " + (passes.isEmpty ? "none" : passes.map { run in
            let stats = run.statistics.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            return run.name + String(format: " %.1f ms", run.milliseconds) + (stats.isEmpty ? "" : " (\(stats.joined(separator: ", ")))")
        }.joined(separator: " · ")))
        out.append(String(format: "Decode step: %d dispatches, %d barriers, %.1f MB moved per token",
                          decode.dispatches, decode.barriers, Double(decode.bytesPerToken) / 1e6))
        out.append("")
        out.append("layer    dispatches  kernels")
        var i = 0
        while i < layers.count {
            var j = i
            let shape = layers[i].kernels.map(\.kernel)
            while j + 1 < layers.count, layers[j + 1].index != nil, layers[i].index != nil,
                  layers[j + 1].kernels.map(\.kernel) == shape { j += 1 }
            let name = layers[i].index.map { i == j ? "\($0)" : "\($0)–\(layers[j].index!)" } ?? (i == 0 ? "input" : "output")
            out.append(name.padding(toLength: 9, withPad: " ", startingAt: 0)
                       + String(format: "%10d", layers[i].dispatches) + "  " + shape.joined(separator: " · "))
            i = j + 1
        }
        if let sample = layers.first(where: { $0.index != nil && $0.index! > 0 }) ?? layers.first(where: { $0.index != nil }) {
            out.append("")
            out.append("Kernels of layer \(sample.index!):")
            let width = sample.kernels.map(\.kernel.count).max() ?? 0
            for k in sample.kernels {
                out.append("  " + k.kernel.padding(toLength: width, withPad: " ", startingAt: 0)
                           + String(format: "%3d × %8.2f MB  ", k.dispatches, Double(k.bytesPerToken) / 1e6)
                           + k.ops.joined(separator: " + "))
            }
        }
        out.append("")
        let changed = Dictionary(grouping: weights) { "\($0.stored) → \($0.chosen)" }
        out.append("Weights: \(weights.count) matrices; " + changed.keys.sorted().map { key in
            let (from, to) = (changed[key]![0].stored, changed[key]![0].chosen)
            return from == to ? "\(from) kept ×\(changed[key]!.count)" : "\(key) ×\(changed[key]!.count)"
        }.joined(separator: ", "))
        for key in changed.keys.sorted() {
            if let reason = changed[key]!.compactMap(\.reason).first { out.append("  " + reason) }
        }
        out.append(String(format: "KV cache: %@ %@, %.1f MB (%@)", kvCache.layout, kvCache.dtype,
                          Double(kvCache.bytes) / 1e6, kvCache.reason))
        out.append("Memory: " + memory.sorted { $0.value > $1.value }.map {
            String(format: "%@ %.1f MB", $0.key, Double($0.value) / 1e6)
                + ($0.key == PlannedBuffer.Role.scoreLogits.rawValue ? " (allocated when scoring)" : "")
        }.joined(separator: " · "))
        if let a = activations, a.values > 0 {
            out.append(String(format: "Activations: %d values share %d buffers by live range, %.1f MB (%.1f MB unshared)",
                              a.values, a.buffers, Double(a.bytes) / 1e6, Double(a.unsharedBytes) / 1e6))
        }
        out.append("")
        let groups = Dictionary(grouping: declined) { "\($0.pass): \($0.subject)" }
        out.append("Not fused or not changed (\(declined.count) candidates):")
        for key in groups.keys.sorted() {
            let first = groups[key]![0]
            out.append("  \(key) ×\(groups[key]!.count): \(first.reason)" + (first.location.isEmpty ? "" : " (first at \(first.location))"))
        }
        if declined.isEmpty { out.append("  none") }
        out.append("Megakernel: " + (megakernel.enabled ? "enabled" : "not enabled") + " — \(megakernel.reason)")
        return out.joined(separator: "\n") + "\n"
    }

    /// Graphviz: one cluster per layer, one node per kernel in decode order.
    public var dot: String {
        var out = ["digraph plan {", "  rankdir=TB; node [shape=box, fontname=monospace];"]
        var previous: String?
        var n = 0
        for (l, layer) in layers.enumerated() {
            out.append("  subgraph cluster_\(l) { label=\"\(layer.index.map { "layer \($0)" } ?? "io")\";")
            for kernel in layer.kernels {
                let id = "k\(n)"
                n += 1
                let label = ([kernel.kernel + " ×\(kernel.dispatches)"] + kernel.ops).joined(separator: "\\n")
                    .replacingOccurrences(of: "\"", with: "\\\"")
                out.append("    \(id) [label=\"\(label)\"];")
                if let previous { out.append("    \(previous) -> \(id);") }
                previous = id
            }
            out.append("  }")
        }
        out.append("}")
        return out.joined(separator: "\n") + "\n"
    }
}
