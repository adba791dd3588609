import SmeltIR

/// `rms_norm(add(x, [rms_norm](y)))` → one row-wise `residual_norm` kernel:
/// the optional post-norm of the branch, the residual add and the next
/// pre-norm, with both the sum (the residual stream) and the normalized row
/// as results.
///
/// The projection that produces `y` is fused in by
/// `fuse-matvec-residual-norm`, which runs before this pass; one it left
/// (or a pipeline without it) is recorded as declined here.
public struct FuseResidualNorm: FusionPattern {
    public let name = "fuse-residual-norm"
    public let summary = "fuses post-norm, residual add and the next pre-norm into one row kernel"
    public let kernel = "residual_norm"

    public init() {}

    public func match(at position: Int, in index: GraphIndex, context: PassContext) -> FusionMatch? {
        guard let row = ResidualRow(add: position, in: index) else { return nil }
        guard row.isRow else { return .decline("the residual is not a [T, D] row") }
        let branch = row.projection.map { index.describe(index[$0].result) } ?? "the branch"
        if let projection = row.projection {
            context.notTaken("matvec + \(kernel)", at: index[projection].location, because:
                "the projection \(branch) stays a separate matvec: only fuse-matvec-residual-norm, run before this "
                + "pass, joins it to the row kernel")
        }
        return .fuse(row.members, reason: row.post != nil
            ? "post-norm of \(branch), residual add and next pre-norm in one pass over the row: 3 dispatches → 1"
            : "residual add and next pre-norm in one pass over the row: 2 dispatches → 1")
    }
}

/// A residual row at an `add`: [the branch's post-norm], the add and the
/// next pre-norm reading the sum, as `FuseResidualNorm` fuses them, and the
/// `linear` that produces the branch when only the row reads it.
struct ResidualRow {
    /// Positions: [post,] add, norm.
    var members: [Int]
    var post: Int?
    /// The linear producing the branch (the post-norm's input, or without
    /// a post-norm an operand of the add) that nothing else reads.
    var projection: Int?
    /// Whether the sum is a [T, D] row.
    var isRow: Bool

    /// Nil when `position` is not an add followed by a pre-norm of its sum.
    init?(add position: Int, in index: GraphIndex) {
        let add = index[position]
        guard add.kind == "add", add.operands.count == 2 else { return nil }
        let sumType = index.graph.type(of: add.result)
        guard let norm = index.users(of: add.result).first(where: {
            index[$0].kind == "rms_norm" && index[$0].operands[0] == add.result
                && index.graph.type(of: index[$0].operands[1]).rank == 1
                && index.graph.type(of: index[$0].operands[1]).dims.last == sumType.dims.last
        }) else { return nil }
        isRow = sumType.rank == 2
        members = [position, norm]
        // The branch's own post-norm joins when only the add reads it.
        for operand in add.operands {
            guard let post = index.producer(of: operand, kind: "rms_norm"),
                  index.graph.type(of: index[post].operands[0]) == sumType,
                  index.graph.type(of: index[post].operands[1]).dims.last == sumType.dims.last,
                  index.onlyRead(operand, by: [position]) else { continue }
            members.insert(post, at: 0)
            self.post = post
            break
        }
        let reader = post ?? position
        let branches = post.map { [index[$0].operands[0]] } ?? add.operands
        projection = branches.lazy.compactMap { value in
            index.producer(of: value, kind: "linear").flatMap { index.onlyRead(value, by: [reader]) ? $0 : nil }
        }.first
    }
}
