import SmeltIR
import SmeltModels
import Testing

/// F32, F16, BF16 and I32 storage, with expected values from the IEEE 754
/// definitions.
@Suite struct QuantPlainTests {
    /// (-1)^s · 2^(e−15) · (1 + m/1024), or the subnormal m · 2^−24: the
    /// binary16 definition, evaluated in Double.
    static func halfByDefinition(_ bits: UInt16) -> Double {
        let s = (bits >> 15) == 1 ? -1.0 : 1.0
        let e = Int((bits >> 10) & 0x1F)
        let m = Double(bits & 0x3FF)
        if e == 0 { return s * m * 0x1p-24 }
        if e == 31 { return m == 0 ? s * .infinity : .nan }
        return s * (1 + m / 1024) * Double(sign: .plus, exponent: e - 15, significand: 1)
    }

    @Test func f16MatchesTheBinary16Definition() throws {
        let patterns: [UInt16] = [0x0000, 0x8000, 0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001, 0x03FF,
                                  0x0400, 0x8400, 0x7C00, 0xFC00, 0x7E00, 0x1234, 0xABCD]
        let bytes = patterns.flatMap(QuantTestSupport.le16)
        let got = try QuantTestSupport.decode(bytes, .f16, count: patterns.count)
        for (bits, value) in zip(patterns, got) {
            let want = Self.halfByDefinition(bits)
            if want.isNaN {
                #expect(value.isNaN, "0x\(String(bits, radix: 16))")
            } else {
                #expect(Double(value) == want, "0x\(String(bits, radix: 16))")
                #expect(value.sign == ((bits >> 15) == 1 ? .minus : .plus))
            }
        }
        // Spot values anyone can check by hand.
        #expect(got[2] == 1 && got[3] == -2 && got[5] == 65504 && got[6] == 0x1p-24)
    }

    @Test func bf16IsTheTopHalfOfAFloat() throws {
        let cases: [(UInt16, Float)] = [(0x3F80, 1), (0xC040, -3), (0x4049, 3.140625), (0x0000, 0), (0x7F80, .infinity)]
        let got = try QuantTestSupport.decode(cases.flatMap { QuantTestSupport.le16($0.0) }, .bf16, count: cases.count)
        #expect(got == cases.map(\.1))
    }

    @Test func f32AndI32() throws {
        let floats: [Float] = [1.5, -0.0, 3.25e-20, .greatestFiniteMagnitude]
        let fb = floats.flatMap { f in (0..<4).map { UInt8((f.bitPattern >> (8 * $0)) & 0xFF) } }
        #expect(try QuantTestSupport.decode(fb, .f32, count: 4) == floats)
        let ints: [Int32] = [0, -7, 123_456, Int32.min]
        let ib = ints.flatMap { i in (0..<4).map { UInt8((UInt32(bitPattern: i) >> (8 * $0)) & 0xFF) } }
        #expect(try QuantTestSupport.decode(ib, .i32, count: 4) == ints.map(Float.init))
    }

    @Test func sizeMismatchesThrow() {
        let block = [UInt8](repeating: 0, count: 34)
        #expect(throws: DequantizeError.self) { try QuantTestSupport.decode(block, .q8_0, count: 31) }
        #expect(throws: DequantizeError.self) { try QuantTestSupport.decode(block, .q8_0, count: 64) }
        #expect(throws: DequantizeError.self) { try QuantTestSupport.decode(block + [0], .q8_0, count: 32) }
        var small = [Float](repeating: 0, count: 16)
        #expect(throws: DequantizeError.self) {
            try block.withUnsafeBytes { b in
                try small.withUnsafeMutableBufferPointer { try dequantize(b, dtype: .q8_0, count: 32, into: $0) }
            }
        }
        do {
            _ = try QuantTestSupport.decode(block, .q8_0, count: 31)
        } catch {
            #expect("\(error)".contains("31 elements"))
        }
    }
}
