import SmeltIR

/// A GGML tensor storage type as numbered in GGUF files.
///
/// Every type GGUF files are known to use is listed with its block geometry,
/// so a file can be parsed and bounds-checked even when Smelt cannot decode
/// some of its tensors; `dtype` is nil for those, and asking for such a
/// tensor is an error that names it.
public struct GGMLType: Sendable, Hashable, CustomStringConvertible {
    /// The id stored in the tensor info (`ggml_type`).
    public let id: UInt32
    /// GGML's name for the type, e.g. `Q4_K`.
    public let name: String
    /// Elements per block (1 for plain types).
    public let blockSize: Int
    /// Bytes per block.
    public let typeSize: Int
    /// Smelt's dtype for this storage type, when Smelt can decode it.
    public let dtype: DType?

    public var description: String { "\(name) (ggml type \(id))" }

    /// The known type with this id, or nil for an id GGML never assigned
    /// (or retired, such as 4, 5 and 31–33).
    public init?(id: UInt32) {
        guard let t = Self.table.first(where: { $0.id == id }) else { return nil }
        self = t
    }

    /// The GGML type that stores `dtype`.
    public init?(dtype: DType) {
        guard let t = Self.table.first(where: { $0.dtype == dtype }) else { return nil }
        self = t
    }

    private init(_ id: UInt32, _ name: String, _ blockSize: Int, _ typeSize: Int, _ dtype: DType? = nil) {
        self.id = id
        self.name = name
        self.blockSize = blockSize
        self.typeSize = typeSize
        self.dtype = dtype
    }

    /// Block geometry from ggml's type traits (the same figures gguf-py's
    /// GGML_QUANT_SIZES lists).
    static let table: [GGMLType] = [
        GGMLType(0, "F32", 1, 4, .f32),
        GGMLType(1, "F16", 1, 2, .f16),
        GGMLType(2, "Q4_0", 32, 18, .q4_0),
        GGMLType(3, "Q4_1", 32, 20),
        GGMLType(6, "Q5_0", 32, 22, .q5_0),
        GGMLType(7, "Q5_1", 32, 24),
        GGMLType(8, "Q8_0", 32, 34, .q8_0),
        GGMLType(9, "Q8_1", 32, 40),
        GGMLType(10, "Q2_K", 256, 84),
        GGMLType(11, "Q3_K", 256, 110),
        GGMLType(12, "Q4_K", 256, 144, .q4_k),
        GGMLType(13, "Q5_K", 256, 176, .q5_k),
        GGMLType(14, "Q6_K", 256, 210, .q6_k),
        GGMLType(15, "Q8_K", 256, 292),
        GGMLType(16, "IQ2_XXS", 256, 66),
        GGMLType(17, "IQ2_XS", 256, 74),
        GGMLType(18, "IQ3_XXS", 256, 98),
        GGMLType(19, "IQ1_S", 256, 50),
        GGMLType(20, "IQ4_NL", 32, 18),
        GGMLType(21, "IQ3_S", 256, 110),
        GGMLType(22, "IQ2_S", 256, 82),
        GGMLType(23, "IQ4_XS", 256, 136),
        GGMLType(24, "I8", 1, 1),
        GGMLType(25, "I16", 1, 2),
        GGMLType(26, "I32", 1, 4, .i32),
        GGMLType(27, "I64", 1, 8),
        GGMLType(28, "F64", 1, 8),
        GGMLType(29, "IQ1_M", 256, 56),
        GGMLType(30, "BF16", 1, 2, .bf16),
        GGMLType(34, "TQ1_0", 256, 54),
        GGMLType(35, "TQ2_0", 256, 66),
        GGMLType(39, "MXFP4", 32, 17),
    ]

    /// Names of the types Smelt decodes, for error messages.
    static var supportedNames: String {
        table.filter { $0.dtype != nil }.map(\.name).joined(separator: ", ")
    }
}
