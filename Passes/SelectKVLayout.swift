import SmeltIR

/// Chooses every layer's KV cache: its element type (`dtype`: f32; f16 at
/// half the bytes; q8_0, blocks of 32 signed bytes with an f32 scale, at
/// 9/32 of them) and its layout (`layout`: `token_major`, a position's
/// heads side by side, or `head_major`, a head's positions side by side),
/// recorded as `kv_write` attributes that the lowering and the reference
/// interpreter honour.
///
/// - dtype: `--kv-cache` when given; else the widest type whose whole cache
///   for the context fits the device profile's `kv_cache_budget`: f32, then
///   f16, then q8_0 (head sizes a multiple of 32; else f16 regardless).
///   q8_0 keeps Gemma-3 270M within the reference's rules on every
///   reference prompt (GemmaTests), so it may be chosen by default.
/// - layout: head-major when a layer has several KV heads (each attention
///   workgroup then reads its head's keys contiguously); token-major with
///   one KV head, where the two are the same bytes.
///
/// A `kv_write` that already states a dtype or layout keeps it.
public struct SelectKVLayout: Pass {
    public let name = "select-kv-layout"
    public let summary = "chooses the KV cache's element type (f32, f16, q8_0) and layout from the device profile and context"

    public init() {}

    public func run(_ graph: Graph, _ context: PassContext) throws -> Graph {
        var graph = graph
        let writes = graph.ops.indices.filter { graph.ops[$0].kind == "kv_write" }
        guard !writes.isEmpty else { return graph }
        let headSizes = writes.map { graph.type(of: graph.ops[$0].operands[0]).dims.dropFirst().compactMap(\.fixedValue) }
        let f32Bytes = headSizes.reduce(0) { $0 + 2 * context.contextLength * $1.reduce(1, *) * 4 }
        let block = DType.q8_0.blockSize
        let quantizable = headSizes.allSatisfy { ($0.last ?? 1) % block == 0 }
        let megabytes = { (bytes: Int) in String(format: "%.1f MB", Double(bytes) / 1e6) }
        let dtype: DType
        let dtypeReason: String
        if let forced = context.kvCacheOverride {
            dtype = forced
            dtypeReason = "--kv-cache \(forced)"
        } else if let budget = context.profile.kvCacheBudget, f32Bytes > budget {
            let over = "an f32 cache of \(context.contextLength) tokens would take \(megabytes(f32Bytes)), over the "
                + "\(context.profile.name) budget of \(megabytes(budget))"
            if f32Bytes / 2 > budget, quantizable {
                dtype = .q8_0
                // A byte per value and a 4-byte scale per block.
                let elements = f32Bytes / 4
                dtypeReason = over + "; f16 would too (\(megabytes(f32Bytes / 2))): q8_0 takes "
                    + megabytes(elements + elements / block * 4)
            } else {
                dtype = .f16
                dtypeReason = over + ": f16 halves it" + (f32Bytes / 2 > budget ? " (head sizes not multiples of \(block) rule out q8_0)" : "")
            }
        } else {
            dtype = .f32
            dtypeReason = "the f32 cache of \(context.contextLength) tokens takes \(megabytes(f32Bytes))"
                + (context.profile.kvCacheBudget.map { ", within the \(context.profile.name) budget of \(megabytes($0))" }
                    ?? "; the \(context.profile.name) profile sets no budget")
                + ": exact keys and values, no conversions"
        }
        for position in writes {
            let op = graph.ops[position]
            let kvHeads = graph.type(of: op.operands[0]).dims.dropFirst().first?.fixedValue ?? 1
            let layout = kvHeads > 1 ? "head_major" : "token_major"
            let layoutReason = kvHeads > 1
                ? "\(kvHeads) KV heads: each attention workgroup reads one head's positions contiguously"
                : "one KV head: token-major and head-major are the same bytes"
            var reasons: [String] = []
            if op.attributes["dtype"] == nil {
                graph.ops[position].attributes["dtype"] = .symbol(dtype.rawValue)
                reasons.append("\(dtype): \(dtypeReason)")
                context.count("\(dtype) caches")
            } else {
                reasons.append("\(op.attributes["dtype"]?.symbolValue ?? "?"): set in the graph")
            }
            if op.attributes["layout"] == nil {
                graph.ops[position].attributes["layout"] = .symbol(layout)
                reasons.append("\(layout.replacingOccurrences(of: "_", with: "-")): \(layoutReason)")
            } else {
                reasons.append("\(op.attributes["layout"]?.symbolValue ?? "?"): set in the graph")
            }
            context.taken("kv cache of layer \(op.attributes["layer"]?.intValue ?? 0)", at: op.location,
                          because: reasons.joined(separator: "; "))
        }
        return graph
    }
}
