import SmeltIR
import SmeltModels
import Testing

/// Q8_0, Q4_0 and Q5_0 blocks built from chosen quants. Scales are powers of
/// two so every expected value is exact.
@Suite struct QuantLegacyTests {
    typealias S = QuantTestSupport

    @Test func q8_0() throws {
        // Two blocks: d = 0.5 with quants −16…15, d = −0.125 with −128…127 sampled.
        var rng = S.Ints(seed: 8)
        let q1 = (0..<32).map { $0 - 16 }
        let q2 = (0..<32).map { _ in rng.next(256) - 128 } + []
        var bytes = S.le16(S.half[0.5]!) + q1.map { UInt8(bitPattern: Int8($0)) }
        bytes += S.le16(0xB000) + q2.map { UInt8(bitPattern: Int8($0)) }   // 0xB000 = −0.125
        let want = q1.map { Float($0) * 0.5 } + q2.map { Float($0) * -0.125 }
        #expect(try S.decode(bytes, .q8_0, count: 64) == want)
    }

    @Test func q4_0() throws {
        // Byte j holds element j (low nibble) and element j+16 (high nibble).
        var rng = S.Ints(seed: 4)
        let q = (0..<32).map { _ in rng.next(16) }
        var bytes = S.le16(S.half[0.25]!)
        for j in 0..<16 { bytes.append(UInt8(q[j] | (q[j + 16] << 4))) }
        let want = q.map { Float($0 - 8) * 0.25 }
        #expect(try S.decode(bytes, .q4_0, count: 32) == want)
        // Extremes: nibble 0 → −8·d, nibble 15 → 7·d.
        let ext = S.le16(S.half[2.0]!) + [UInt8](repeating: 0xF0, count: 16)
        #expect(try S.decode(ext, .q4_0, count: 32) == [Float](repeating: -16, count: 16) + [Float](repeating: 14, count: 16))
    }

    @Test func q5_0() throws {
        // 5-bit quants: low 4 bits as in Q4_0, the fifth bit of element j is
        // bit j of the little-endian u32 qh.
        var rng = S.Ints(seed: 5)
        let q = (0..<32).map { _ in rng.next(32) }
        var qh: UInt32 = 0
        for j in 0..<32 where q[j] >= 16 { qh |= 1 << UInt32(j) }
        var bytes = S.le16(S.half[0.125]!)
        bytes += (0..<4).map { UInt8((qh >> (8 * UInt32($0))) & 0xFF) }
        for j in 0..<16 { bytes.append(UInt8((q[j] & 15) | ((q[j + 16] & 15) << 4))) }
        let want = q.map { Float($0 - 16) * 0.125 }
        #expect(try S.decode(bytes, .q5_0, count: 32) == want)
    }

    @Test func q5_0HighBitsAreNotSharedBetweenHalves() throws {
        // Only element 20's fifth bit set: exactly one value differs from −16·d.
        var bytes = S.le16(S.half[1.0]!)
        bytes += [0x00, 0x00, 0x10, 0x00]     // bit 20
        bytes += [UInt8](repeating: 0, count: 16)
        var want = [Float](repeating: -16, count: 32)
        want[20] = 0
        #expect(try S.decode(bytes, .q5_0, count: 32) == want)
    }
}
