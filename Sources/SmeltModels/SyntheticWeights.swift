import SmeltIR

/// Seeded random f32 weights for every `weight` op of a graph, made in
/// process: tests and tiny configs need no files. The same seed and graph
/// give the same bytes on every machine (no use of Swift's hashing).
public final class SyntheticWeightStore: WeightStore, @unchecked Sendable {
    private var tensors: [String: (shape: [Int], values: [Float])] = [:]
    public let tensorNames: [String]

    /// Norm weights (rank 1) are near 1; matrices are uniform with a scale of
    /// 1/sqrt(fan-in), so activations stay in a sensible range.
    public init(graph: Graph, seed: UInt64) throws {
        var names: [String] = []
        for op in graph.weights {
            guard let name = op.attributes["name"]?.stringValue else { continue }
            guard tensors[name] == nil else { continue }
            let dims = graph.type(of: op.result).dims
            let shape = try dims.map { dim -> Int in
                guard let v = dim.fixedValue else {
                    throw SmeltError("weight '\(name)' has symbolic shape \(graph.type(of: op.result).shapeText)", at: op.location)
                }
                return v
            }
            var rng = SplitMix64(seed: seed ^ fnv1a(name))
            let count = shape.reduce(1, *)
            let values: [Float]
            if shape.count == 1 {
                values = (0..<count).map { _ in 1 + 0.2 * (rng.nextUnitFloat() - 0.5) }
            } else {
                let scale = 1 / Float(shape.last!).squareRoot()
                values = (0..<count).map { _ in scale * 2 * (rng.nextUnitFloat() - 0.5) * 1.7 }
            }
            tensors[name] = (shape, values)
            names.append(name)
        }
        tensorNames = names
    }

    public func tensor(named name: String) throws -> WeightTensor {
        guard let entry = tensors[name] else {
            throw SmeltError("synthetic weights: no tensor named '\(name)'")
        }
        let storage = FloatStorage(entry.values)
        return WeightTensor(name: name, dtype: .f32, shape: entry.shape,
                            bytes: UnsafeRawBufferPointer(storage.pointer), owner: storage)
    }
}

/// Owns a heap copy of floats so a `WeightTensor` can point at them.
final class FloatStorage {
    let pointer: UnsafeMutableBufferPointer<Float>
    init(_ values: [Float]) {
        pointer = .allocate(capacity: values.count)
        _ = pointer.initialize(from: values)
    }
    deinit { pointer.deallocate() }
}

/// SplitMix64 (Steele, Lea & Flood, 2014): a tiny, seedable, well-mixed
/// 64-bit generator. Synthetic weights and sampling must be reproducible
/// from a seed on every machine and backend, and this is simple enough to
/// port to a GPU shader bit for bit.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    public private(set) var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A float in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }
}

/// FNV-1a of a string's UTF-8 bytes: a stable 64-bit hash.
func fnv1a(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
    return hash
}
