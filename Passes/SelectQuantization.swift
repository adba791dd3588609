import SmeltIR

/// Chooses the format each weight matrix is stored in for the device: the
/// fastest format the device profile rates into which the stored weights
/// convert exactly (Q4_0/Q5_0 → Q8_0 keeps each block's scale), within the
/// profile's bytes-per-token budget. A faster but rounding conversion
/// (Q4_K → Q8_0) is declined with its figures. `--quant F` forces F for every matrix. The choice is the weight
/// op's `quant` attribute; the reason is a remark.
public struct SelectQuantization: Pass {
    public let name = "select-quant"
    public let summary = "chooses each weight matrix's storage format from the device profile"

    public init() {}

    /// Formats the compiler can convert to, finest first.
    static let targets: [DType] = [.f32, .f16, .q8_0]

    /// Bits of precision a format keeps, for "loses nothing" comparisons.
    static func precision(_ dtype: DType) -> Int {
        switch dtype {
        case .f32, .i32: 6
        case .f16, .bf16: 5
        case .q8_0: 4
        case .q6_k: 3
        case .q5_0, .q5_k: 2
        case .q4_0, .q4_k: 1
        }
    }

    /// Whether every `source` weight is representable in `target` (the
    /// converter keeps Q4_0/Q5_0 block scales when it writes Q8_0).
    static func isExact(_ source: DType, _ target: DType) -> Bool {
        source == target || target == .f32 || (target == .q8_0 && (source == .q4_0 || source == .q5_0))
            || (target == .f16 && source == .f16)
    }

    /// Stored bytes of `elements` weights of `dtype`.
    static func bytes(_ dtype: DType, elements: Int) -> Int { elements / dtype.blockSize * dtype.blockBytes }

    public func run(_ graph: Graph, _ context: PassContext) throws -> Graph {
        if let forced = context.quantOverride, !Self.targets.contains(forced) {
            throw SmeltError("--quant \(forced): weights can be converted to "
                + Self.targets.map(\.rawValue).joined(separator: ", ") + " only")
        }
        var graph = graph
        let index = GraphIndex(graph)
        let profile = context.profile
        var candidates: [(position: Int, source: DType, target: DType, elements: Int, reason: String)] = []
        for (position, op) in graph.ops.enumerated() where op.kind == "weight" {
            let type = graph.type(of: op.result)
            guard type.rank == 2, let source = type.dtype, let elements = type.fixedElementCount,
                  index.users(of: op.result).contains(where: { ["linear", "logits"].contains(index[$0].kind) }) else {
                continue
            }
            if let forced = context.quantOverride {
                candidates.append((position, source, forced, elements, "--quant \(forced)"))
                continue
            }
            guard let sourceRate = profile.weightRates[source] else {
                context.notTaken("\(source) matrices", at: op.location,
                                 because: "kept \(source): the \(profile.name) profile has no measured rate for \(source)")
                continue
            }
            let faster = Self.targets.filter {
                Self.precision($0) >= Self.precision(source) && (profile.weightRates[$0] ?? 0) > sourceRate
            }
            // Only conversions that keep every weight's value: a second
            // rounding of K-quants moved Gemma-3's first-step logits 0.2 from
            // exact math, past the 0.05 the reference allows.
            guard let target = faster.filter({ Self.isExact(source, $0) })
                .max(by: { profile.weightRates[$0]! < profile.weightRates[$1]! }) else {
                if let lossy = faster.max(by: { profile.weightRates[$0]! < profile.weightRates[$1]! }) {
                    context.notTaken("\(source) matrices", at: op.location, because: String(
                        format: "kept %@: %@ decodes faster here (%.2f vs %.2f G weights/s) but the conversion rounds "
                            + "every weight again; --quant %@ forces it", source.rawValue, lossy.rawValue,
                        profile.weightRates[lossy]!, sourceRate, lossy.rawValue))
                }
                continue
            }
            let exact = Self.isExact(source, target)
            candidates.append((position, source, target, elements, String(
                format: "%@ → %@%@: %@ decodes %@ at %.2f G weights/s, %@ at %.2f", source.rawValue, target.rawValue,
                exact ? " (exact)" : "", profile.name,
                target.rawValue, profile.weightRates[target]!, source.rawValue, sourceRate)))
        }
        // Within the budget: drop the choices that add the most bytes first.
        var total = graph.ops.enumerated().reduce(0) { sum, item in
            let type = graph.type(of: item.element.result)
            guard item.element.kind == "weight", type.rank == 2, let dtype = type.dtype,
                  let n = type.fixedElementCount else { return sum }
            return sum + Self.bytes(dtype, elements: n)
        }
        var chosen = candidates
        for c in candidates { total += Self.bytes(c.target, elements: c.elements) - Self.bytes(c.source, elements: c.elements) }
        if let budget = profile.bytesPerTokenBudget, context.quantOverride == nil, total > budget {
            chosen.sort { Self.bytes($0.target, elements: $0.elements) - Self.bytes($0.source, elements: $0.elements)
                < Self.bytes($1.target, elements: $1.elements) - Self.bytes($1.source, elements: $1.elements) }
            while total > budget, let dropped = chosen.popLast() {
                total -= Self.bytes(dropped.target, elements: dropped.elements) - Self.bytes(dropped.source, elements: dropped.elements)
                let op = graph.ops[dropped.position]
                context.notTaken(op.attributes["name"]?.stringValue ?? "", at: op.location, because:
                    "kept \(dropped.source): \(dropped.target) would exceed the \(budget)-byte per-token budget")
            }
        }
        for c in chosen.sorted(by: { $0.position < $1.position }) where c.target != c.source {
            graph.ops[c.position].attributes["quant"] = .symbol(c.target.rawValue)
            let op = graph.ops[c.position]
            context.taken(op.attributes["name"]?.stringValue ?? "", at: op.location, because: c.reason)
            context.count("\(c.source) → \(c.target)")
        }
        return graph
    }
}
