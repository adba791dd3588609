/// Decoders for GGML's 32-element blocks: Q8_0, Q5_0 and Q4_0. Each reads
/// one block at `src` and writes its 32 floats at `dst`.
///
/// Layouts (ggml-common.h):
/// - Q8_0: `f16 d; int8 qs[32]`, x[j] = qs[j]·d.
/// - Q4_0: `f16 d; u8 qs[16]`, byte j holds element j in its low nibble and
///   element j+16 in its high nibble; x = (nibble − 8)·d.
/// - Q5_0: `f16 d; u8 qh[4]; u8 qs[16]`, nibbles as Q4_0; the fifth bit of
///   element j is bit j of the little-endian u32 `qh` (so elements 16…31
///   use bits 16…31); x = (q − 16)·d.
enum LegacyQuantBlocks {
    @inline(__always)
    static func q8_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>) {
        let d = src.halfAsFloat(at: 0)
        for j in 0..<32 {
            dst[j] = Float(Int8(bitPattern: src.byte(at: 2 + j))) * d
        }
    }

    @inline(__always)
    static func q4_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>) {
        let d = src.halfAsFloat(at: 0)
        for j in 0..<16 {
            let b = src.byte(at: 2 + j)
            dst[j] = Float(Int32(b & 0x0F) - 8) * d
            dst[j + 16] = Float(Int32(b >> 4) - 8) * d
        }
    }

    @inline(__always)
    static func q5_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>) {
        let d = src.halfAsFloat(at: 0)
        let qh = UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        for j in 0..<16 {
            let b = UInt32(src.byte(at: 6 + j))
            let lo = (b & 0x0F) | (((qh >> UInt32(j)) & 1) << 4)
            let hi = (b >> 4) | (((qh >> UInt32(j + 16)) & 1) << 4)
            dst[j] = Float(Int32(lo) - 16) * d
            dst[j + 16] = Float(Int32(hi) - 16) * d
        }
    }
}
