import SmeltIR

/// One stored weight tensor: its logical shape, its storage dtype and its raw
/// bytes exactly as stored (still block-quantized where the dtype says so).
///
/// Shapes are row-major and outermost first, as in PyTorch: a linear layer's
/// weight is `[out, in]`, and each of its `out` rows is `in` elements long,
/// stored contiguously. (GGUF lists dimensions innermost first; readers
/// reverse them.)
public struct WeightTensor: @unchecked Sendable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// The stored bytes. They point into memory owned by `owner` (an mmap'd
    /// file or an array), which the tensor keeps alive.
    public let bytes: UnsafeRawBufferPointer
    public let owner: AnyObject?

    public init(name: String, dtype: DType, shape: [Int], bytes: UnsafeRawBufferPointer, owner: AnyObject?) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
        self.owner = owner
    }

    public var elementCount: Int { shape.reduce(1, *) }
    /// Length of one row (the innermost dimension).
    public var rowLength: Int { shape.last ?? 1 }
    public var rowCount: Int { shape.count <= 1 ? 1 : shape.dropLast().reduce(1, *) }
}

/// A source of named weight tensors: a GGUF file, a safetensors checkpoint,
/// or seeded synthetic weights for tests.
public protocol WeightStore: AnyObject, Sendable {
    /// All tensor names, in file order.
    var tensorNames: [String] { get }
    /// The tensor called `name`; throws an error naming it if absent.
    func tensor(named name: String) throws -> WeightTensor
}
