import SmeltIR

/// Every pass a pipeline can name. Adding a pass: one file with the pass
/// and one line here.
public enum PassRegistry {
    private static let all: [any Pass] = [
        DeadCodeElimination(),
        SelectQuantization(),
        SelectKVLayout(),
        FuseMatvecResidualNorm(),
        FuseResidualNorm(),
        FuseQKVRoPE(),
        FuseQKV(),
        FuseQKNormRoPE(),
        FuseGatedFFN(),
    ]

    /// Pass names in registration order.
    public static var names: [String] { all.map(\.name) }

    /// The pass called `name`, or nil.
    public static func make(_ name: String) -> (any Pass)? { all.first { $0.name == name } }

    /// (name, summary) of every pass, for help text.
    public static var summaries: [(name: String, summary: String)] { all.map { ($0.name, $0.summary) } }
}
