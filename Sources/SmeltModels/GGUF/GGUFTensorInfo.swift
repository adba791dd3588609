import SmeltIR

/// One tensor as described in a GGUF file's tensor-info table, already
/// checked: its type is known, its row length is a whole number of blocks,
/// and its data lies inside the file.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// Dimensions as GGUF stores them: innermost (contiguous) first.
    public let dims: [Int]
    /// The storage type id (`ggml_type`) as stored.
    public let typeID: UInt32
    /// Data offset relative to the start of the data section, as stored.
    public let offset: Int
    /// Data offset from the start of the file.
    public let fileOffset: Int
    /// Bytes of tensor data.
    public let byteCount: Int
    /// Where this tensor's info record starts in the file (for messages).
    public let infoOffset: Int

    /// The storage type (always known: unknown ids are refused at parse).
    public var ggmlType: GGMLType { GGMLType(id: typeID)! }

    /// Smelt's dtype, or nil when Smelt cannot decode this storage type.
    public var dtype: DType? { ggmlType.dtype }

    /// Shape outermost first (PyTorch order), as `WeightTensor` uses.
    public var shape: [Int] { Array(dims.reversed()) }

    /// Number of elements.
    public var elementCount: Int { dims.reduce(1, *) }
}
