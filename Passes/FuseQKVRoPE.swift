import SmeltIR

/// A whole attention input: the Q, K and V projections of one input (as
/// `fuse-qkv` takes them) and their per-head tail (as `fuse-qk-norm-rope`
/// takes it: reshape, head norms, RoPE, KV-cache write) → one `qkv_rope`
/// kernel. In decode each workgroup computes one head's rows and then
/// normalizes, rotates and stores that head itself, so no workgroup waits
/// for another. Runs before `fuse-qkv` and `fuse-qk-norm-rope`, which take
/// the two halves where this declines. Anchored at `kv_write`.
public struct FuseQKVRoPE: FusionPattern {
    public let name = "fuse-qkv-rope"
    public let summary = "fuses Q/K/V projections, head norms, RoPE and the KV-cache write into one kernel"
    public let kernel = "qkv_rope"

    /// Head sizes the decode kernel takes: a 64-wide workgroup computes one
    /// head, 1, 2 or 4 rows per invocation.
    public static let headSizes: Set<Int> = [64, 128, 256]

    public init() {}

    public func match(at position: Int, in index: GraphIndex, context: PassContext) -> FusionMatch? {
        guard index[position].kind == "kv_write",
              let tail = FuseQKNormRoPE().match(at: position, in: index, context: context) else { return nil }
        guard case .fuse(let tailMembers, _) = tail else { return tail }
        let reshapes = tailMembers.filter { index[$0].kind == "reshape" }
        let projections = reshapes.compactMap { index.producer(of: index[$0].operands[0], kind: "linear") }
        guard reshapes.count == 3, projections.count == 3, Set(projections).count == 3 else {
            return .decline("the query, key and value are not three projections reshaped into heads")
        }
        let first = projections.min() ?? position
        guard let found = FuseQKV().match(at: first, in: index, context: context) else {
            return .decline("the query, key and value projections do not read one input")
        }
        guard case .fuse(let siblings, _) = found else { return found }
        guard Set(siblings) == Set(projections) else {
            return .decline("\(siblings.count) projections read \(index.describe(index[first].operands[0])); "
                + "the kernel takes exactly the query, key and value")
        }
        let members = Set(tailMembers + projections)
        for projection in projections where !index.onlyRead(index[projection].result, by: members) {
            return .decline("\(index.describe(index[projection].result)) is read outside the fusion")
        }
        // The decode kernel stores rows as Q, K, V heads in that order.
        let write = index[position]
        guard let attention = index.users(of: write.results[0]).first(where: { index[$0].kind == "attention" }) else {
            return .decline("no attention reads the cache")
        }
        let sources = [index[attention].operands[0], write.operands[0], write.operands[1]]
        let order = sources.map { value in projections.first { reaches(index[$0].result, value, in: index) } }
        guard order == projections.sorted() else {
            return .decline("the projections are not in query, key, value order")
        }
        let headDim = index.graph.type(of: write.operands[0]).dims.last?.fixedValue ?? 0
        guard Self.headSizes.contains(headDim) else {
            return .decline("heads of \(headDim) are not 64, 128 or 256 rows, one 64-wide workgroup each")
        }
        let dispatches = members.filter { index[$0].kind != "reshape" }.count
        return .fuse(members.sorted(), reason: "Q/K/V projections and their heads' norms, RoPE and cache write, "
            + "a workgroup per head: \(dispatches) dispatches → 1")
    }

    /// Whether `value` is `from` or comes from it through single-operand
    /// reshape, rms_norm and rope ops.
    private func reaches(_ from: ValueID, _ value: ValueID, in index: GraphIndex) -> Bool {
        var value = value
        while value != from {
            guard let position = index.producer(of: value),
                  ["reshape", "rms_norm", "rope"].contains(index[position].kind) else { return false }
            value = index[position].operands[0]
        }
        return true
    }
}
