import SmeltIR
import SmeltModels

/// Helpers for building quantized blocks in tests from chosen integer quants
/// and scales, following each format's published layout. Expected values are
/// computed from the chosen integers, never by the decoder under test.
enum QuantTestSupport {
    /// Binary16 bits for a few exactly representable values.
    static let half: [Float: UInt16] = [
        1.0: 0x3C00, 0.5: 0x3800, 0.25: 0x3400, 0.125: 0x3000, 2.0: 0x4000,
        -0.5: 0xB800, 0.0625: 0x2C00, 0.03125: 0x2800,
    ]

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }

    /// A deterministic stream of small integers (xorshift), so blocks are
    /// irregular without depending on a random-number API.
    struct Ints {
        var state: UInt64
        init(seed: UInt64) { state = seed | 1 }
        mutating func next(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }
    }

    static func decode(_ bytes: [UInt8], _ dtype: DType, count: Int) throws -> [Float] {
        var out = [Float](repeating: .nan, count: count)
        try bytes.withUnsafeBytes { b in
            try out.withUnsafeMutableBufferPointer { try dequantize(b, dtype: dtype, count: count, into: $0) }
        }
        return out
    }
}
