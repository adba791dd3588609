import SmeltIR

/// Removes ops none of whose results reach a graph output. `kv_write` is
/// kept when its caches are read, and inputs are always kept: they are the
/// graph's interface even when unused.
public struct DeadCodeElimination: Pass {
    public let name = "dead-code"
    public let summary = "removes ops whose results no output needs"

    public init() {}

    public func run(_ graph: Graph, _ context: PassContext) throws -> Graph {
        var live = Set(graph.outputs)
        var kept: [Op] = []
        for op in graph.ops.reversed() {
            guard op.kind == "input" || op.results.contains(where: live.contains) else {
                context.count("ops removed")
                continue
            }
            live.formUnion(op.operands)
            if let region = op.region {
                for member in region.ops { live.formUnion(member.operands) }
            }
            kept.append(op)
        }
        var result = graph
        result.ops = kept.reversed()
        return result
    }
}
