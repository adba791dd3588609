/// Element types of tensors in a graph.
///
/// Activations are `f32`, `f16`, `bf16` or `i32`. Weights may also be stored
/// in one of GGML's block-quantized formats; those are named types here so a
/// quantization choice is visible in the IR as the weight's dtype.
public enum DType: String, CaseIterable, Sendable, Hashable, Codable {
    case f32, f16, bf16, i32
    case q8_0, q5_0, q4_0, q4_k, q5_k, q6_k

    /// Whether this is a block-quantized weight format.
    public var isQuantized: Bool { blockSize > 1 }

    /// Number of elements per block (1 for plain types).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .i32: 1
        case .q8_0, .q5_0, .q4_0: 32
        case .q4_k, .q5_k, .q6_k: 256
        }
    }

    /// Bytes per block (per element for plain types).
    public var blockBytes: Int {
        switch self {
        case .f32, .i32: 4
        case .f16, .bf16: 2
        case .q8_0: 34      // f16 scale + 32 × int8
        case .q5_0: 22      // f16 scale + 4 B high bits + 16 B nibbles
        case .q4_0: 18      // f16 scale + 16 B nibbles
        case .q4_k: 144     // 2 × f16 + 12 B scales + 128 B nibbles
        case .q5_k: 176     // 2 × f16 + 12 B scales + 32 B high bits + 128 B nibbles
        case .q6_k: 210     // 128 B low + 64 B high + 16 × int8 scales + f16
        }
    }

    /// Bytes needed to store `count` elements; nil if `count` is not a whole
    /// number of blocks.
    public func byteCount(elements count: Int) -> Int? {
        guard count >= 0, count % blockSize == 0 else { return nil }
        let (bytes, overflow) = (count / blockSize).multipliedReportingOverflow(by: blockBytes)
        return overflow ? nil : bytes
    }

    /// Whether values of this type can flow between ops (not weight-only).
    public var isActivationType: Bool { !isQuantized }
}
