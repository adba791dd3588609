import SmeltIR

/// `linear` → [rms_norm] → add → rms_norm, the projection at the end of an
/// attention or feed-forward block and the residual row after it, → one
/// `matvec_residual_norm` kernel. In decode the matvec's workgroups each
/// store their rows of y and count themselves in an atomic; the last one
/// to finish normalizes the whole row (post-norm, residual add, next
/// pre-norm), so the row kernel costs no dispatch of its own. No workgroup
/// waits for another: unlike a device-wide barrier this is safe on every
/// device. Prefill runs the projection as a matmul and the row kernel after
/// it. Run it before `fuse-residual-norm`, which takes the rows left over.
public struct FuseMatvecResidualNorm: FusionPattern {
    public let name = "fuse-matvec-residual-norm"
    public let summary = "fuses a projection with the residual row kernel after it (last-workgroup epilogue)"
    public let kernel = "matvec_residual_norm"

    public init() {}

    public func match(at position: Int, in index: GraphIndex, context: PassContext) -> FusionMatch? {
        guard let row = ResidualRow(add: position, in: index), row.isRow, let projection = row.projection else {
            return nil
        }
        let linear = index[projection]
        guard linear.operands.count == 2, index.graph.type(of: linear.operands[1]).rank == 2 else {
            return .decline("the projection \(index.describe(linear.result)) has a bias or no weight matrix")
        }
        return .fuse([projection] + row.members, reason: "projection \(index.describe(linear.result))"
            + (row.post != nil ? ", its post-norm" : "") + ", residual add and next pre-norm: "
            + "\(row.members.count + 1) dispatches → 1 (the last workgroup normalizes the row)")
    }
}
