/// GGML's 32-weight blocks. Blocks go in groups of eight so the eight f16
/// scales of a group come from one `uvec4` load; a guard that is constant
/// after specialization drops the blocks past the row's end.
extension KernelTemplate {
    /// Q8_0: block b's 32 int8 quants are words 2b and 2b+1 of `qs`.
    public static let weightQ8_0 = KernelTemplate(name: "weight_q8_0", source: WeightKernelSkeleton.source(decode: """
            {{OUTER}} for (uint g = 0u; g < (COLS / 32u + 7u) / 8u; ++g) {
                uvec4 dv = W(wb + S1 + g);
                [[unroll]] for (uint j = 0u; j < 8u; ++j) {
                    uint b = 8u * g + j;
                    if (b < COLS / 32u) {
                        uvec4 q0 = W(wb + 2u * b);
                        uvec4 q1 = W(wb + 2u * b + 1u);
                        clearPart();
                        [[unroll]] for (uint i = 0u; i < 4u; ++i) {
                            fma4(sbytes4(q0[i]), 8u * b + i);
                            fma4(sbytes4(q1[i]), 8u * b + 4u + i);
                        }
                        flush(halfAt(dv, j));
                    }
                }
            }
        """))

    /// Q4_0: byte l of a block holds element l (low nibble) and l+16 (high);
    /// x = (q − 8)·d.
    public static let weightQ4_0 = KernelTemplate(name: "weight_q4_0", source: WeightKernelSkeleton.source(decode: """
            {{OUTER}} for (uint g = 0u; g < (COLS / 32u + 7u) / 8u; ++g) {
                uvec4 dv = W(wb + S1 + g);
                [[unroll]] for (uint j = 0u; j < 8u; ++j) {
                    uint b = 8u * g + j;
                    if (b < COLS / 32u) {
                        uvec4 q = W(wb + b);
                        clearPart();
                        [[unroll]] for (uint i = 0u; i < 4u; ++i) {
                            fma4(nibbles4Less(q[i], 0u, 8), 8u * b + i);
                            fma4(nibbles4Less(q[i], 4u, 8), 8u * b + 4u + i);
                        }
                        flush(halfAt(dv, j));
                    }
                }
            }
        """))

    /// Q5_0: as Q4_0 plus a fifth bit, bit l of the block's u32 `qh` for
    /// element l; x = (q − 16)·d.
    public static let weightQ5_0 = KernelTemplate(name: "weight_q5_0", source: WeightKernelSkeleton.source(decode: """
            {{OUTER}} for (uint g = 0u; g < (COLS / 32u + 7u) / 8u; ++g) {
                uvec4 dv = W(wb + S2 + g);
                uvec4 h0 = W(wb + S1 + 2u * g);
                uvec4 h1 = 8u * g + 4u < COLS / 32u ? W(wb + S1 + 2u * g + 1u) : uvec4(0u);
                [[unroll]] for (uint j = 0u; j < 8u; ++j) {
                    uint b = 8u * g + j;
                    if (b < COLS / 32u) {
                        uvec4 q = W(wb + b);
                        uint h = j < 4u ? h0[j] : h1[j - 4u];
                        clearPart();
                        [[unroll]] for (uint i = 0u; i < 4u; ++i) {
                            uvec4 hlo = ((uvec4(h >> (4u * i)) >> uvec4(0u, 1u, 2u, 3u)) & 1u) << 4u;
                            uvec4 hhi = ((uvec4(h >> (16u + 4u * i)) >> uvec4(0u, 1u, 2u, 3u)) & 1u) << 4u;
                            uvec4 lo = (uvec4(q[i]) >> uvec4(0u, 8u, 16u, 24u)) & 0xFu;
                            uvec4 hi = (uvec4(q[i]) >> uvec4(4u, 12u, 20u, 28u)) & 0xFu;
                            fma4(vec4(ivec4(lo | hlo) - 16), 8u * b + i);
                            fma4(vec4(ivec4(hi | hhi) - 16), 8u * b + 4u + i);
                        }
                        flush(halfAt(dv, j));
                    }
                }
            }
        """))
}
