/// Decoders for GGML's 256-element "k-quant" super-blocks: Q4_K, Q5_K and
/// Q6_K. Each reads one super-block at `src` and writes 256 floats at `dst`.
///
/// Layouts (ggml-common.h):
/// - Q4_K: `f16 d; f16 dmin; u8 scales[12]; u8 qs[128]`. Eight sub-blocks
///   of 32 with 6-bit scale `sc` and min `m` packed in `scales` (see
///   `scaleMin`); x = d·sc·q − dmin·m. Each 32-byte run of `qs` feeds two
///   sub-blocks: low nibbles the first, high nibbles the second.
/// - Q5_K: `f16 d; f16 dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]`. As
///   Q4_K plus a fifth bit: for sub-block s, element l takes bit s of qh[l].
/// - Q6_K: `u8 ql[128]; u8 qh[64]; int8 scales[16]; f16 d`. Two halves of
///   128; in each, element l (0‥31) of the four 32-runs takes the low or high
///   nibble of ql[l] / ql[l+32] and two bits of qh[l]; 16 scales of 16
///   elements; x = d·scale·(q − 32).
enum KQuantBlocks {
    /// Scale and min of sub-block `j` (0‥7) from the 12 packed bytes: for
    /// j < 4 the low 6 bits of bytes j and j+4; otherwise a nibble of byte
    /// j+4 plus the top 2 bits of bytes j−4 (scale) and j (min).
    @inline(__always)
    static func scaleMin(_ j: Int, _ q: UnsafeRawPointer) -> (Float, Float) {
        if j < 4 {
            return (Float(q.byte(at: j) & 63), Float(q.byte(at: j + 4) & 63))
        }
        let sc = (q.byte(at: j + 4) & 0x0F) | ((q.byte(at: j - 4) >> 6) << 4)
        let m = (q.byte(at: j + 4) >> 4) | ((q.byte(at: j) >> 6) << 4)
        return (Float(sc), Float(m))
    }

    @inline(__always)
    static func q4_k(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>) {
        let d = src.halfAsFloat(at: 0)
        let dmin = src.halfAsFloat(at: 2)
        let scales = src + 4
        let qs = src + 16
        for chunk in 0..<4 {
            let (sc1, m1) = scaleMin(2 * chunk, scales)
            let (sc2, m2) = scaleMin(2 * chunk + 1, scales)
            let d1 = d * sc1, min1 = dmin * m1
            let d2 = d * sc2, min2 = dmin * m2
            let q = qs + 32 * chunk
            let y = dst + 64 * chunk
            for l in 0..<32 {
                let b = q.byte(at: l)
                y[l] = d1 * Float(b & 0x0F) - min1
                y[l + 32] = d2 * Float(b >> 4) - min2
            }
        }
    }

    @inline(__always)
    static func q5_k(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>) {
        let d = src.halfAsFloat(at: 0)
        let dmin = src.halfAsFloat(at: 2)
        let scales = src + 4
        let qh = src + 16
        let qs = src + 48
        for chunk in 0..<4 {
            let (sc1, m1) = scaleMin(2 * chunk, scales)
            let (sc2, m2) = scaleMin(2 * chunk + 1, scales)
            let d1 = d * sc1, min1 = dmin * m1
            let d2 = d * sc2, min2 = dmin * m2
            let bitLo = UInt8(1) << UInt8(2 * chunk)
            let bitHi = bitLo << 1
            let q = qs + 32 * chunk
            let y = dst + 64 * chunk
            for l in 0..<32 {
                let b = q.byte(at: l)
                let h = qh.byte(at: l)
                let lo = (b & 0x0F) | (h & bitLo != 0 ? 16 : 0)
                let hi = (b >> 4) | (h & bitHi != 0 ? 16 : 0)
                y[l] = d1 * Float(lo) - min1
                y[l + 32] = d2 * Float(hi) - min2
            }
        }
    }

    @inline(__always)
    static func q6_k(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>) {
        let d = src.halfAsFloat(at: 208)
        for half in 0..<2 {
            let ql = src + 64 * half
            let qh = src + 128 + 32 * half
            let sc = src + 192 + 8 * half
            let y = dst + 128 * half
            for l in 0..<32 {
                let s = l / 16
                let h = qh.byte(at: l)
                let a = ql.byte(at: l), b = ql.byte(at: l + 32)
                let q1 = Int32((a & 0x0F) | ((h & 3) << 4)) - 32
                let q2 = Int32((b & 0x0F) | (((h >> 2) & 3) << 4)) - 32
                let q3 = Int32((a >> 4) | (((h >> 4) & 3) << 4)) - 32
                let q4 = Int32((b >> 4) | (((h >> 6) & 3) << 4)) - 32
                y[l] = d * Float(Int8(bitPattern: sc.byte(at: s))) * Float(q1)
                y[l + 32] = d * Float(Int8(bitPattern: sc.byte(at: s + 2))) * Float(q2)
                y[l + 64] = d * Float(Int8(bitPattern: sc.byte(at: s + 4))) * Float(q3)
                y[l + 96] = d * Float(Int8(bitPattern: sc.byte(at: s + 6))) * Float(q4)
            }
        }
    }
}
