import SmeltIR

/// The per-head tail of the attention input: `reshape` of the Q/K/V
/// projections, the optional Q and K head norms, RoPE on Q and K and the
/// KV-cache write → one `qk_norm_rope` kernel, one workgroup per head.
/// Anchored at `kv_write`; the query is the one attention reads with this
/// cache.
public struct FuseQKNormRoPE: FusionPattern {
    public let name = "fuse-qk-norm-rope"
    public let summary = "fuses head norms, RoPE and the KV-cache write into one per-head kernel"
    public let kernel = "qk_norm_rope"

    public init() {}

    /// reshape → [rms_norm] → rope: the positions of the chain ending in
    /// `value`, last first, or nil when `value` is not produced that way.
    private func chain(to value: ValueID, in index: GraphIndex) -> [Int]? {
        guard let rope = index.producer(of: value, kind: "rope") else { return nil }
        var ops = [rope]
        var input = index[rope].operands[0]
        if let norm = index.producer(of: input, kind: "rms_norm") {
            ops.append(norm)
            input = index[norm].operands[0]
        }
        guard let reshape = index.producer(of: input, kind: "reshape") else { return nil }
        return ops + [reshape]
    }

    public func match(at position: Int, in index: GraphIndex, context: PassContext) -> FusionMatch? {
        let write = index[position]
        guard write.kind == "kv_write" else { return nil }
        guard let k = chain(to: write.operands[0], in: index) else {
            return .decline("the key does not come from reshape → [rms_norm] → rope")
        }
        let readers = index.users(of: write.results[0]).filter { index[$0].kind == "attention" }
        guard let attention = readers.first, readers.count == 1 else {
            return .decline("the cache is read by \(readers.count) attention ops; the query needs exactly one")
        }
        guard let q = chain(to: index[attention].operands[0], in: index) else {
            return .decline("the query does not come from reshape → [rms_norm] → rope")
        }
        var members = Set(q + k + [position])
        if let v = index.producer(of: write.operands[1], kind: "reshape") { members.insert(v) }
        let (qRope, kRope) = (index[q[0]], index[k[0]])
        guard qRope.operands[1] == kRope.operands[1], qRope.operands[1] == write.operands[2] else {
            return .decline("RoPE and the cache write read different positions")
        }
        guard qRope.attributes == kRope.attributes else {
            return .decline("RoPE on the query and the key differ in attributes")
        }
        guard (q.count == 3) == (k.count == 3) else {
            return .decline("only one of the query and key has a head norm")
        }
        // Only the rotated query and the caches leave the kernel.
        for member in members where member != position && member != q[0] {
            for value in index[member].results where !index.onlyRead(value, by: members) {
                return .decline("\(index.describe(value)) is read outside the fusion")
            }
        }
        let dispatches = members.filter { index[$0].kind != "reshape" }.count
        return .fuse(members.sorted(), reason: "\(q.count == 3 ? "head norms, " : "")RoPE and the cache write "
            + "per head in one kernel: \(dispatches) dispatches → 1")
    }
}
