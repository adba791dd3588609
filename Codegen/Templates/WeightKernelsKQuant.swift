/// GGML's 256-weight k-quant super-blocks (ns = COLS/256 per row).
extension KernelTemplate {
    /// Q4_K: `meta` is GGML's first 16 bytes (f16 d, f16 dmin, 12 bytes of
    /// 6-bit scales and mins); 32 bytes of `qs` feed two sub-blocks, low
    /// nibbles the first. x = d·sc·q − dmin·m.
    public static let weightQ4_K = KernelTemplate(name: "weight_q4_k", source: WeightKernelSkeleton.source(decode: """
            {{OUTER}} for (uint s = 0u; s < COLS / 256u; ++s) {
        \(kQuantScales(meta: "W(wb + S1 + s)"))
                {{OUTER}} for (uint c = 0u; c < 4u; ++c) {
                    uvec4 qa = W(wb + 8u * s + 2u * c);
                    uvec4 qb = W(wb + 8u * s + 2u * c + 1u);
                    [[unroll]] for (uint n = 0u; n < 2u; ++n) {
                        clearPart();
                        [[unroll]] for (uint i = 0u; i < 4u; ++i) {
                            fma4sum(nibbles4(qa[i], 4u * n), 64u * s + 16u * c + 8u * n + i);
                            fma4sum(nibbles4(qb[i], 4u * n), 64u * s + 16u * c + 8u * n + 4u + i);
                        }
                        flushMin(dm.x * byteAt(sm, 2u * c + n), dm.y * byteAt(sm, 8u + 2u * c + n));
                    }
                }
            }
        """))

    /// Q5_K: Q4_K plus `qh` (32 bytes per super-block): element l of
    /// sub-block j takes bit j of qh byte l as its fifth bit.
    public static let weightQ5_K = KernelTemplate(name: "weight_q5_k", source: WeightKernelSkeleton.source(decode: """
            {{OUTER}} for (uint s = 0u; s < COLS / 256u; ++s) {
        \(kQuantScales(meta: "W(wb + S2 + s)"))
                uvec4 h0 = W(wb + S1 + 2u * s);
                uvec4 h1 = W(wb + S1 + 2u * s + 1u);
                {{OUTER}} for (uint c = 0u; c < 4u; ++c) {
                    uvec4 qa = W(wb + 8u * s + 2u * c);
                    uvec4 qb = W(wb + 8u * s + 2u * c + 1u);
                    [[unroll]] for (uint n = 0u; n < 2u; ++n) {
                        uint bit = 2u * c + n;
                        clearPart();
                        [[unroll]] for (uint i = 0u; i < 4u; ++i) {
                            uint lo = ((qa[i] >> (4u * n)) & 0x0F0F0F0Fu) | (((h0[i] >> bit) & 0x01010101u) << 4u);
                            uint hi = ((qb[i] >> (4u * n)) & 0x0F0F0F0Fu) | (((h1[i] >> bit) & 0x01010101u) << 4u);
                            fma4sum(bytes4(lo), 64u * s + 16u * c + 8u * n + i);
                            fma4sum(bytes4(hi), 64u * s + 16u * c + 8u * n + 4u + i);
                        }
                        flushMin(dm.x * byteAt(sm, bit), dm.y * byteAt(sm, 8u + bit));
                    }
                }
            }
        """))

    /// Q6_K: two halves of 128; in half h, bytes l and l+32 of `ql` and
    /// byte l of `qh` give elements l, l+32, l+64, l+96 (low/high nibble
    /// plus two bits each); 16 int8 scales of 16 elements; x = d·sc·(q − 32).
    public static let weightQ6_K = KernelTemplate(name: "weight_q6_k", source: WeightKernelSkeleton.source(decode: """
            {{OUTER}} for (uint s = 0u; s < COLS / 256u; ++s) {
                float d = halfAt(W(wb + S3 + s / 8u), s % 8u);
                uvec4 sc = W(wb + S2 + s);
                {{OUTER}} for (uint h = 0u; h < 2u; ++h) {
                    [[unroll]] for (uint half16 = 0u; half16 < 2u; ++half16) {
                        uvec4 a = W(wb + 8u * s + 4u * h + half16);
                        uvec4 b = W(wb + 8u * s + 4u * h + 2u + half16);
                        uvec4 hb = W(wb + S1 + 4u * s + 2u * h + half16);
                        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
                            clearPart();
                            [[unroll]] for (uint i = 0u; i < 4u; ++i) {
                                uint src = (j & 1u) == 0u ? a[i] : b[i];
                                uint q = ((src >> (4u * (j >> 1u))) & 0x0F0F0F0Fu) | (((hb[i] >> (2u * j)) & 0x03030303u) << 4u);
                                fma4(bytes4Less(q, 32), 64u * s + 32u * h + 8u * j + 4u * half16 + i);
                            }
                            flush(d * sbyteAt(sc, 8u * h + half16 + 2u * j));
                        }
                    }
                }
            }
        """))

    /// Decodes GGML's 12 packed scale bytes into `sm` (bytes 0–7 the eight
    /// 6-bit scales, 8–15 the mins) and `dm` = (d, dmin): for j < 4 the low
    /// 6 bits of bytes j / j+4; for j ≥ 4 a nibble of byte j+4 and the top
    /// two bits of byte j−4 / j.
    static func kQuantScales(meta: String) -> String {
        """
                uvec4 m = \(meta);
                vec2 dm = unpackHalf2x16(m.x);
                uvec4 sm = uvec4(m.y & 0x3F3F3F3Fu,
                                 (m.w & 0x0F0F0F0Fu) | ((m.y >> 2u) & 0x30303030u),
                                 m.z & 0x3F3F3F3Fu,
                                 ((m.w >> 4u) & 0x0F0F0F0Fu) | ((m.z >> 2u) & 0x30303030u));
        """
    }
}
