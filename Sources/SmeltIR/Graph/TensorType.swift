/// A dimension: a number, or a symbol bound at run time (`T`, the number of
/// tokens in a step; `S`, the number of cached positions).
public enum Dim: Sendable, Hashable, CustomStringConvertible {
    case fixed(Int)
    case symbol(String)

    public var fixedValue: Int? {
        if case .fixed(let v) = self { return v }
        return nil
    }

    public var description: String {
        switch self {
        case .fixed(let v): String(v)
        case .symbol(let s): s
        }
    }

    /// The symbolic dimensions every graph may use.
    public static let tokens = Dim.symbol("T")
    public static let cached = Dim.symbol("S")
}

/// The type of a value: element type and shape. A weight's dtype is nil
/// until the graph is bound to a checkpoint.
public struct TensorType: Sendable, Hashable, CustomStringConvertible {
    public var dtype: DType?
    public var dims: [Dim]

    public init(_ dtype: DType?, _ dims: [Dim]) {
        self.dtype = dtype
        self.dims = dims
    }

    public var rank: Int { dims.count }
    public var last: Dim? { dims.last }

    /// The element count where every dimension is fixed.
    public var fixedElementCount: Int? {
        var count = 1
        for dim in dims {
            guard let v = dim.fixedValue else { return nil }
            count *= v
        }
        return count
    }

    public var shapeText: String { "[" + dims.map(\.description).joined(separator: ", ") + "]" }

    public var description: String { (dtype?.rawValue ?? "?") + shapeText }
}
