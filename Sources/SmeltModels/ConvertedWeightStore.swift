import Foundation
import SmeltIR

/// A weight store that serves some tensors converted to another format
/// (the quantization pass's `quant` choices), converting each once, on
/// first use; the rest come from `base` unchanged.
public final class ConvertedWeightStore: WeightStore, @unchecked Sendable {
    public let base: any WeightStore
    /// Tensor name → the format to serve it in.
    public let formats: [String: DType]
    private var cache: [String: WeightTensor] = [:]
    private let lock = NSLock()

    public init(base: any WeightStore, formats: [String: DType]) {
        self.base = base
        self.formats = formats
    }

    /// The store for a graph's choices: every `weight` op with a `quant`
    /// attribute; `base` itself when there are none.
    public static func applying(_ graph: Graph, to base: any WeightStore) -> any WeightStore {
        var formats: [String: DType] = [:]
        for op in graph.weights {
            if let name = op.attributes["name"]?.stringValue,
               let quant = op.attributes["quant"]?.symbolValue.flatMap(DType.init(rawValue:)) {
                formats[name] = quant
            }
        }
        return formats.isEmpty ? base : ConvertedWeightStore(base: base, formats: formats)
    }

    public var tensorNames: [String] { base.tensorNames }

    public func tensor(named name: String) throws -> WeightTensor {
        guard let format = formats[name] else { return try base.tensor(named: name) }
        lock.lock()
        defer { lock.unlock() }
        if let done = cache[name] { return done }
        let converted = try base.tensor(named: name).converted(to: format)
        cache[name] = converted
        return converted
    }
}
