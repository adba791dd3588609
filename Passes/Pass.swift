import SmeltIR

/// A compiler pass: a function of a graph. Passes record what they changed
/// and, for every rewrite they decided against, why, so `smelt plan` can
/// show it. Adding a pass is one file with a type conforming to this.
public protocol Pass: Sendable {
    /// The name pipelines and `--disable-pass` use, e.g. `dead-code`.
    var name: String { get }
    /// One line for `--help` and docs.
    var summary: String { get }
    func run(_ graph: Graph, _ context: PassContext) throws -> Graph
}

/// What passes share while a pipeline runs: statistics and reasons.
public final class PassContext {
    /// Counters by pass name, then statistic ("ops removed" → 3).
    public private(set) var statistics: [String: [String: Int]] = [:]
    /// Why a candidate rewrite was not taken, with where.
    public private(set) var notTaken: [(pass: String, location: SourceLocation, reason: String)] = []
    /// The pass now running.
    public var currentPass = ""

    public init() {}

    public func count(_ statistic: String, by amount: Int = 1) {
        statistics[currentPass, default: [:]][statistic, default: 0] += amount
    }

    public func notTaken(at location: SourceLocation, because reason: String) {
        notTaken.append((currentPass, location, reason))
    }
}

/// Runs passes in order, verifying the graph after each one, so a pass that
/// breaks SSA, shapes or types is caught at the pass that did it.
public struct PassManager {
    public var passes: [any Pass]

    public init(passes: [any Pass]) { self.passes = passes }

    /// `afterEach` sees the graph after every pass (for `--print-after`).
    public func run(_ graph: Graph, context: PassContext = PassContext(),
                    afterEach: (String, Graph) -> Void = { _, _ in }) throws -> Graph {
        var graph = graph
        for pass in passes {
            context.currentPass = pass.name
            graph = try pass.run(graph, context)
            do {
                try Verifier.verify(graph)
            } catch {
                throw SmeltError("pass '\(pass.name)' produced an invalid graph: \(error)")
            }
            afterEach(pass.name, graph)
        }
        return graph
    }
}
