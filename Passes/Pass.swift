import Foundation
import SmeltIR

/// A compiler pass: a function of a graph. Passes record what they decided
/// and, for every rewrite they decided against, why, so `smelt plan` can
/// show it. Adding a pass is one file with a type conforming to this and
/// one line in `PassRegistry`.
public protocol Pass: Sendable {
    /// The name pipelines and `--disable-pass` use, e.g. `dead-code`.
    var name: String { get }
    /// One line for `--help` and docs.
    var summary: String { get }
    func run(_ graph: Graph, _ context: PassContext) throws -> Graph
}

/// A decision a pass made or declined, with the reason a person reads.
public struct PassRemark: Sendable, Hashable, Codable {
    /// The pass that made it.
    public var pass: String
    /// What it is about: a fused kernel, a weight name, a cache.
    public var subject: String
    /// The op (or weight) it concerns, as `file:line:column`.
    public var location: String
    public var reason: String
    /// True when the rewrite was taken; false for a candidate declined.
    public var taken: Bool
}

/// What passes share while a pipeline runs: the target, statistics,
/// decisions and the reasons for candidates not taken.
public final class PassContext {
    /// The device the graph is compiled for: passes choose from its facts.
    public let profile: DeviceProfile
    /// Tokens the KV cache holds.
    public let contextLength: Int
    /// Weight formats forced by `--quant` (all matrices), overriding the
    /// quantization pass's choice.
    public let quantOverride: DType?
    /// The KV cache element type forced by `--kv-cache` (f32 or f16).
    public let kvCacheOverride: DType?
    /// Counters by pass name, then statistic ("ops removed" → 3).
    public private(set) var statistics: [String: [String: Int]] = [:]
    /// Decisions taken and declined, in the order passes made them.
    public private(set) var remarks: [PassRemark] = []
    /// Wall time of each pass that ran, in pipeline order.
    public internal(set) var timings: [(pass: String, seconds: Double)] = []
    /// The pass now running.
    public var currentPass = ""

    public init(profile: DeviceProfile = .lavapipe, contextLength: Int = 2048, quantOverride: DType? = nil,
                kvCacheOverride: DType? = nil) {
        self.kvCacheOverride = kvCacheOverride
        self.profile = profile
        self.contextLength = contextLength
        self.quantOverride = quantOverride
    }

    public func count(_ statistic: String, by amount: Int = 1) {
        statistics[currentPass, default: [:]][statistic, default: 0] += amount
    }

    /// Records a rewrite that was made, and why.
    public func taken(_ subject: String, at location: SourceLocation, because reason: String) {
        remarks.append(PassRemark(pass: currentPass, subject: subject, location: "\(location)", reason: reason, taken: true))
    }

    /// Records a candidate rewrite that was not made, and why.
    public func notTaken(_ subject: String, at location: SourceLocation, because reason: String) {
        remarks.append(PassRemark(pass: currentPass, subject: subject, location: "\(location)", reason: reason, taken: false))
    }

    /// The candidates declined, in order.
    public var declined: [PassRemark] { remarks.filter { !$0.taken } }
}

/// Runs passes in order, verifying the graph after each one, so a pass that
/// breaks SSA, shapes or types is caught at the pass that did it.
public struct PassManager {
    public var passes: [any Pass]

    public init(passes: [any Pass]) { self.passes = passes }

    /// The passes of `pipeline` that are not in `disabled`; an unknown name
    /// in `disabled` is an error (a typo must not silently keep a pass on).
    public init(pipeline: Pipeline, disabled: Set<String> = []) throws {
        for name in disabled where PassRegistry.make(name) == nil {
            throw SmeltError("--disable-pass: unknown pass '\(name)'",
                             hint: didYouMean(name, in: PassRegistry.names) ?? "known passes: \(PassRegistry.names.joined(separator: ", "))")
        }
        passes = pipeline.passes.filter { !disabled.contains($0) }.compactMap(PassRegistry.make)
    }

    /// `afterEach` sees the graph after every pass (for `--print-after`).
    public func run(_ graph: Graph, context: PassContext = PassContext(),
                    afterEach: (String, Graph) -> Void = { _, _ in }) throws -> Graph {
        var graph = graph
        for pass in passes {
            context.currentPass = pass.name
            let start = DispatchTime.now().uptimeNanoseconds
            graph = try pass.run(graph, context)
            context.timings.append((pass.name, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
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
