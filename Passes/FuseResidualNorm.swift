import SmeltIR

/// `rms_norm(add(x, [rms_norm](y)))` → one row-wise `residual_norm` kernel:
/// the optional post-norm of the branch, the residual add and the next
/// pre-norm, with both the sum (the residual stream) and the normalized row
/// as results.
///
/// The post-norm is not fused back into the projection that produces `y`:
/// it needs the whole output row, and a matvec computes its rows in many
/// workgroups. That candidate is recorded as declined.
public struct FuseResidualNorm: FusionPattern {
    public let name = "fuse-residual-norm"
    public let summary = "fuses post-norm, residual add and the next pre-norm into one row kernel"
    public let kernel = "residual_norm"

    public init() {}

    public func match(at position: Int, in index: GraphIndex, context: PassContext) -> FusionMatch? {
        let add = index[position]
        guard add.kind == "add", add.operands.count == 2 else { return nil }
        let sumType = index.graph.type(of: add.result)
        guard let norm = index.users(of: add.result).first(where: {
            index[$0].kind == "rms_norm" && index[$0].operands[0] == add.result
                && index.graph.type(of: index[$0].operands[1]).rank == 1
                && index.graph.type(of: index[$0].operands[1]).dims.last == sumType.dims.last
        }) else { return nil }
        guard sumType.rank == 2 else { return .decline("the residual is not a [T, D] row") }
        var members = [position, norm]
        var branch = "the branch"
        // The branch's own post-norm joins when only the add reads it.
        for operand in add.operands {
            guard let post = index.producer(of: operand, kind: "rms_norm"),
                  index.graph.type(of: index[post].operands[0]) == sumType,
                  index.graph.type(of: index[post].operands[1]).dims.last == sumType.dims.last,
                  index.onlyRead(operand, by: [position]) else { continue }
            members.insert(post, at: 0)
            if let projection = index.producer(of: index[post].operands[0], kind: "linear") {
                branch = index.describe(index[projection].result)
                context.notTaken("matvec + \(kernel)", at: index[projection].location, because:
                    "the post-norm of \(branch) needs its whole row, which a matvec computes across workgroups; "
                    + "it runs in the next residual_norm kernel instead")
            }
            break
        }
        return .fuse(members, reason: members.count == 3
            ? "post-norm of \(branch), residual add and next pre-norm in one pass over the row: 3 dispatches → 1"
            : "residual add and next pre-norm in one pass over the row: 2 dispatches → 1")
    }
}
