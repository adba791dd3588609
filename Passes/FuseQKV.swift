import SmeltIR

/// Projections of one input (Q, K and V of an attention block) → one
/// `matvec_multi` kernel over their matrices stored as one: one dispatch,
/// each output row written to its projection's result. The matrices must
/// share a weight format and fit one weight binding together.
public struct FuseQKV: FusionPattern {
    public let name = "fuse-qkv"
    public let summary = "fuses projections that read the same input (Q, K, V) into one matvec"
    public let kernel = "matvec_multi"

    public init() {}

    public func match(at position: Int, in index: GraphIndex, context: PassContext) -> FusionMatch? {
        let first = index[position]
        guard first.kind == "linear", first.operands.count == 2 else { return nil }
        let input = first.operands[0]
        let siblings = index.users(of: input).filter {
            index[$0].kind == "linear" && index[$0].operands.count == 2 && index[$0].operands[0] == input
        }
        // Anchor at the first of two or more.
        guard siblings.count >= 2, siblings[0] == position else { return nil }
        let weights = siblings.map { index[$0].operands[1] }
        let formats = Set(weights.map { index.weightFormat($0) })
        guard formats.count == 1, let format = formats.first ?? nil else {
            let listed = zip(siblings, weights).map {
                "\(index.describe(index[$0].result)) \(index.weightFormat($1)?.rawValue ?? "?")"
            }
            return .decline("formats differ (\(listed.joined(separator: ", "))): one kernel decodes one weight format")
        }
        let bytes = weights.reduce(0) { $0 + (index.weightBytes($1) ?? 0) }
        let limit = context.profile.maxTexelBufferElements * 16
        guard bytes <= limit else {
            return .decline("the \(siblings.count) matrices take \(bytes) bytes; a \(context.profile.name) "
                + "weight binding holds \(limit)")
        }
        let names = siblings.map { index.describe(index[$0].result) }.joined(separator: ", ")
        return .fuse(siblings, reason: "\(names) read \(index.describe(input)) as one \(format) matrix: "
            + "\(siblings.count) dispatches → 1")
    }
}
