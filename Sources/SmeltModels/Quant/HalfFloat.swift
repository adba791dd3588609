/// IEEE 754 binary16 and bfloat16 to Float conversion, written out so it
/// works where Swift's `Float16` is unavailable (macOS on Intel).

/// Converts binary16 bits to a Float (exactly: every half is a float).
@inline(__always)
public func floatFromHalfBits(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = UInt32(h >> 10) & 0x1F
    let mantissa = UInt32(h & 0x3FF)
    switch exponent {
    case 0:
        // Zero or subnormal: mantissa × 2^-24, exact in Float.
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    case 0x1F:
        // Infinity or NaN (payload kept in the top mantissa bits).
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    default:
        // Rebias the exponent from 15 to 127.
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }
}

/// Converts bfloat16 bits (the top half of a Float) to a Float.
@inline(__always)
public func floatFromBFloat16Bits(_ b: UInt16) -> Float {
    Float(bitPattern: UInt32(b) << 16)
}

extension UnsafeRawPointer {
    /// A little-endian binary16 at `offset`, as a Float.
    @inline(__always)
    func halfAsFloat(at offset: Int) -> Float {
        floatFromHalfBits(UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    @inline(__always)
    func byte(at offset: Int) -> UInt8 {
        load(fromByteOffset: offset, as: UInt8.self)
    }
}
