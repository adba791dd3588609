import SmeltIR
import SmeltModels
import Testing

/// Q4_K, Q5_K and Q6_K super-blocks built from chosen sub-block scales, mins
/// and quants, packed by the layout in ggml-common.h.
@Suite struct QuantKTests {
    typealias S = QuantTestSupport

    /// Packs eight 6-bit scales and mins into 12 bytes: sub-blocks 0‥3 use
    /// the low 6 bits of bytes j (scale) and j+4 (min); sub-blocks 4‥7 put
    /// their low 4 bits in byte j+4 (scale low nibble, min high nibble) and
    /// their top 2 bits in the top bits of bytes j−4 (scale) and j (min).
    static func packScales(_ sc: [Int], _ m: [Int]) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 12)
        for j in 0..<4 {
            b[j] |= UInt8(sc[j])
            b[j + 4] |= UInt8(m[j])
        }
        for j in 4..<8 {
            b[j + 4] = UInt8((sc[j] & 15) | ((m[j] & 15) << 4))
            b[j - 4] |= UInt8(sc[j] >> 4) << 6
            b[j] |= UInt8(m[j] >> 4) << 6
        }
        return b
    }

    /// Element e is in sub-block e/32; sub-blocks 2c and 2c+1 share bytes
    /// 32c‥32c+31 of qs, low and high nibble.
    static func packNibbles(_ q: [Int]) -> [UInt8] {
        var qs = [UInt8](repeating: 0, count: 128)
        for e in 0..<256 {
            let s = e / 32, l = e % 32
            qs[32 * (s / 2) + l] |= UInt8(q[e] & 15) << (s % 2 == 0 ? 0 : 4)
        }
        return qs
    }

    static func subBlockParams(seed: UInt64) -> (sc: [Int], m: [Int]) {
        var rng = S.Ints(seed: seed)
        // Include 63 and values ≥ 16 so the packed top bits matter.
        var sc = (0..<8).map { _ in rng.next(64) }
        var m = (0..<8).map { _ in rng.next(64) }
        sc[5] = 63; m[6] = 48; sc[1] = 17; m[7] = 33
        return (sc, m)
    }

    @Test func q4_k() throws {
        let (sc, m) = Self.subBlockParams(seed: 41)
        var rng = S.Ints(seed: 42)
        let q = (0..<256).map { _ in rng.next(16) }
        let d: Float = 0.25, dmin: Float = 0.125
        let bytes = S.le16(S.half[d]!) + S.le16(S.half[dmin]!) + Self.packScales(sc, m) + Self.packNibbles(q)
        #expect(bytes.count == 144)
        let want = (0..<256).map { e in d * Float(sc[e / 32]) * Float(q[e]) - dmin * Float(m[e / 32]) }
        #expect(try S.decode(bytes, .q4_k, count: 256) == want)
    }

    @Test func q5_k() throws {
        let (sc, m) = Self.subBlockParams(seed: 51)
        var rng = S.Ints(seed: 52)
        let q = (0..<256).map { _ in rng.next(32) }
        // The fifth bit of element l of sub-block s is bit s of qh[l].
        var qh = [UInt8](repeating: 0, count: 32)
        for e in 0..<256 where q[e] >= 16 { qh[e % 32] |= 1 << UInt8(e / 32) }
        let d: Float = 0.0625, dmin: Float = 0.5
        let bytes = S.le16(S.half[d]!) + S.le16(S.half[dmin]!) + Self.packScales(sc, m) + qh + Self.packNibbles(q)
        #expect(bytes.count == 176)
        let want = (0..<256).map { e in d * Float(sc[e / 32]) * Float(q[e]) - dmin * Float(m[e / 32]) }
        #expect(try S.decode(bytes, .q5_k, count: 256) == want)
    }

    @Test func q6_k() throws {
        var rng = S.Ints(seed: 61)
        let q = (0..<256).map { _ in rng.next(64) }
        var scales = (0..<16).map { _ in rng.next(256) - 128 }
        scales[3] = -128; scales[12] = 127
        // Element e: half h = e/128; within it run k = (e%128)/32 and l = e%32.
        // Runs 0,1 take the low nibble of ql[64h+l], ql[64h+l+32]; runs 2,3
        // the high nibbles; bits 2k, 2k+1 of qh[32h+l] are the top two bits;
        // its scale is scales[8h + 2k + l/16].
        var ql = [UInt8](repeating: 0, count: 128)
        var qh = [UInt8](repeating: 0, count: 64)
        var want = [Float](repeating: 0, count: 256)
        let d: Float = 0.03125
        for e in 0..<256 {
            let h = e / 128, k = (e % 128) / 32, l = e % 32
            let byte = 64 * h + l + (k % 2 == 1 ? 32 : 0)
            ql[byte] |= UInt8(q[e] & 15) << (k >= 2 ? 4 : 0)
            qh[32 * h + l] |= UInt8(q[e] >> 4) << UInt8(2 * k)
            want[e] = d * Float(scales[8 * h + 2 * k + l / 16]) * Float(q[e] - 32)
        }
        let bytes = ql + qh + scales.map { UInt8(bitPattern: Int8($0)) } + S.le16(S.half[d]!)
        #expect(bytes.count == 210)
        #expect(try S.decode(bytes, .q6_k, count: 256) == want)
    }

    @Test func consecutiveSuperBlocksAdvance() throws {
        // Two Q4_K blocks with different d: the second block's values scale.
        let sc = [Int](repeating: 1, count: 8), m = [Int](repeating: 0, count: 8)
        let q = (0..<256).map { $0 % 16 }
        let block = { (d: Float) in S.le16(S.half[d]!) + S.le16(S.half[1.0]!) + Self.packScales(sc, m) + Self.packNibbles(q) }
        let got = try S.decode(block(1.0) + block(2.0), .q4_k, count: 512)
        #expect(Array(got[0..<256]) == q.map(Float.init))
        #expect(Array(got[256...]) == q.map { Float($0) * 2 })
    }
}
