/// The frame every weight-reading kernel shares; each dtype supplies only
/// its decode loop (`WeightKernelsDense`, `WeightKernelsLegacy`,
/// `WeightKernelsKQuant`).
///
/// One invocation computes one output row for TILE tokens (with `PAIR`,
/// ROWS_PER adjacent rows for one token, sharing every read of x): it reads its
/// packed row record once per tile as `uvec4` texels of a texel buffer
/// (`W(i)`; on lavapipe a texel fetch is a straight-line gather, a
/// per-lane storage-buffer load a loop over the lanes through the stack:
/// measured 3x slower), dequantizes in registers and accumulates
/// `dot(row, x[t])` for each token. COLS and the
/// section offsets are specialization constants and every loop is
/// `[[unroll]]`, so after specialization each read of x has a constant
/// address (PERF_NOTES: one load plus a broadcast on lavapipe).
///
/// Template parameters: `TILE` (tokens per invocation), `COUNT` (GLSL for
/// the valid token count: `1u`, or `control[1]` to read ControlBlock.count),
/// `XBASE` (GLSL added to a token's x row: `0u`, `(control[1] - 1u)` for
/// logits of the last token, or `(0u - t0)` when x is bound at the tile),
/// `T0` (GLSL for the invocation's first token: `0u`, or `pc.tile * TILE`), `POST` (GLSL applied to the result `v` before
/// the store, e.g. a soft-cap; empty for none),
/// `STORE` (`=`, or `+=` to add into y), `GUARD` (a rolled matmul's exit
/// for tiles past the count; empty for the unrolled kernels, whose loads it
/// would slow down), `OUTER` (the loop attribute of the loop over a row's
/// blocks: `[[unroll]]` for matvec and staged matmul tiles, where unrolling
/// makes x addresses constant; `[[dont_unroll]]` for larger matmul tiles,
/// whose unrolled body would take lavapipe minutes to compile), `ROW_BODY` (what main does with the
/// row at `wb`: `decodeRow(wb);`, or for a gated kernel two rows, the
/// gate's saved in `gateAcc` before the up row is decoded), `EXTRA`
/// (declarations before the decode loop, ending in a blank line) and
/// `ROWS_PER` (adjacent rows per invocation) and `PAIR` (1: rows r + 1 ..<
/// r + ROWS_PER decoded after ROW_BODY and all but the last stored there;
/// TILE 1 and the plain ROW_BODY only; 2: ROW_BODY handles ROWS_PER = 2
/// rows itself, leaving the second to the store),
/// `STAGE_X` (1: x copied into shared memory first), `EPILOGUE` (GLSL at
/// the end of main that every invocation reaches,
/// starting with a newline, e.g. a last-workgroup row reduction).
enum WeightKernelSkeleton {
    static func source(decode: String) -> String {
        """
        #version 450
        #extension GL_EXT_control_flow_attributes : require
        #extension GL_EXT_samplerless_texture_functions : require
        // y[t, rowOffset + r] (=|+=) dot(W[r, :], x[t, :]) for r < rowCount and
        // tokens t < COUNT; W is one window of packed row records (PackedLayout).

        {{WORKGROUP_SIZE}}

        {{SPECIALIZATION_CONSTANTS}}

        {{BINDINGS}}

        {{PUSH_CONSTANTS}}

        const uint TILE = {{TILE}}u;
        const uint XW = COLS / 4u;
        #define STAGE_X {{STAGE_X}}
        #define PAIR {{PAIR}}
        const uint ROWS_PER = {{ROWS_PER}}u;
        #if STAGE_X
        shared vec4 x[TILE * XW];
        #endif

        float acc[TILE];
        vec4 part[TILE];
        vec4 xsum[TILE];
        uint xrow[TILE];

        uvec4 W(uint i) { return texelFetch(w, int(i)); }

        float hsum(vec4 v) { return (v.x + v.y) + (v.z + v.w); }

        void clearPart() {
            [[unroll]] for (uint t = 0u; t < TILE; ++t) { part[t] = vec4(0.0); xsum[t] = vec4(0.0); }
        }

        // part[t] += q * x[t][4k .. 4k+3]
        void fma4(vec4 q, uint k) {
            [[unroll]] for (uint t = 0u; t < TILE; ++t) { part[t] += q * x[xrow[t] + k]; }
        }

        // As fma4, also summing x for formats with a per-block minimum.
        void fma4sum(vec4 q, uint k) {
            [[unroll]] for (uint t = 0u; t < TILE; ++t) {
                vec4 xv = x[xrow[t] + k];
                part[t] += q * xv;
                xsum[t] += xv;
            }
        }

        void flush(float scale) {
            [[unroll]] for (uint t = 0u; t < TILE; ++t) { acc[t] += scale * hsum(part[t]); }
        }

        void flushMin(float scale, float minimum) {
            [[unroll]] for (uint t = 0u; t < TILE; ++t) {
                acc[t] += scale * hsum(part[t]) - minimum * hsum(xsum[t]);
            }
        }

        // The four bytes of w, lowest first, and the nibbles at bit `shift` of
        // each byte, as ints: small unsigned values convert to float through
        // int, one instruction on x86 where an unsigned conversion is a sequence.
        ivec4 ubytes(uint w) { return ivec4((uvec4(w) >> uvec4(0u, 8u, 16u, 24u)) & 0xFFu); }
        ivec4 unibbles(uint w, uint shift) { return ivec4((uvec4(w) >> (uvec4(0u, 8u, 16u, 24u) + shift)) & 0xFu); }
        // The bytes as unsigned / signed values, and the nibbles.
        vec4 bytes4(uint w) { return vec4(ubytes(w)); }
        vec4 sbytes4(uint w) { return vec4(ivec4(uvec4(w) << uvec4(24u, 16u, 8u, 0u)) >> 24); }
        vec4 nibbles4(uint w, uint shift) { return vec4(unibbles(w, shift)); }
        // bytes4 / nibbles4 less an offset, subtracted before the conversion:
        // a float subtraction after it made Q6_K's matvec 6x slower on lavapipe.
        vec4 bytes4Less(uint w, int offset) { return vec4(ubytes(w) - offset); }
        vec4 nibbles4Less(uint w, uint shift, int offset) { return vec4(unibbles(w, shift) - offset); }
        // Half i (0..7) of a 16-byte word.
        float halfAt(uvec4 v, uint i) { return unpackHalf2x16(v[i >> 1u])[i & 1u]; }
        // Byte j (0..15) of a 16-byte word, unsigned / signed.
        float byteAt(uvec4 v, uint j) { return float(int((v[j >> 2u] >> (8u * (j & 3u))) & 0xFFu)); }
        float sbyteAt(uvec4 v, uint j) { return float(int(v[j >> 2u] << (24u - 8u * (j & 3u))) >> 24); }

        {{EXTRA}}// acc[t] += dot(row at wb, x[t]) for the TILE tokens.
        void decodeRow(uint wb) {
        \(decode)
        }

        void main() {
            uint r = gl_GlobalInvocationID.x * ROWS_PER;
            uint count = {{COUNT}};
            uint t0 = {{T0}};
            // No early return in unrolled kernels: on lavapipe, code after any
            // return (even a workgroup-uniform one) runs masked and its loads
            // become per-lane gathers (measured 4–20x slower). Lanes past the
            // last row redo that row and store nothing; tiles past the count
            // compute and store nothing.
            {{GUARD}}
            // Tokens past count re-read the last valid row of x (never past it;
            // a tile wholly past the count, its first row).
        #if STAGE_X
            // x staged in shared memory: every later read of it has a constant
            // address, one load and a broadcast on lavapipe, where a storage-
            // buffer read pays a bounds check each (measured 2.5x slower).
            for (uint i = gl_LocalInvocationID.x; i < TILE * XW; i += gl_WorkGroupSize.x) {
                x[i] = xin[(min(t0 + i / XW, max(count, t0 + 1u) - 1u) + {{XBASE}}) * XW + i % XW];
            }
            barrier();
        #endif
            [[unroll]] for (uint t = 0u; t < TILE; ++t) {
                acc[t] = 0.0;
                xrow[t] = STAGE_X != 0 ? t * XW : (min(t0 + t, count - 1u) + {{XBASE}}) * XW;
            }
            uint wb = min(r, max(pc.rowCount, 1u) - 1u) * ROW_WORDS;
            {{ROW_BODY}}
        #if PAIR == 1
            // Rows r + 1 ..< r + ROWS_PER through the same x reads: the unrolled
            // rows share every load of x. All are decoded before any store;
            // the last is left to the store below.
            float rowAcc[ROWS_PER];
            rowAcc[0] = acc[0];
            [[unroll]] for (uint k = 1u; k < ROWS_PER; ++k) {
                acc[0] = 0.0;
                decodeRow(min(r + k, max(pc.rowCount, 1u) - 1u) * ROW_WORDS);
                rowAcc[k] = acc[0];
            }
            [[unroll]] for (uint k = 0u; k + 1u < ROWS_PER; ++k) {
                if (r + k < pc.rowCount) {
                    float v = rowAcc[k];
                    {{POST}}
                    y[pc.rowOffset + r + k] {{STORE}} v;
                }
            }
            acc[0] = rowAcc[ROWS_PER - 1u];
            r += ROWS_PER - 1u;
        #endif

            [[unroll]] for (uint t = 0u; t < TILE; ++t) {
                if (r < pc.rowCount && t0 + t < count) {
                    float v = acc[t];
                    {{POST}}
                    y[(t0 + t) * ROWS + pc.rowOffset + r] {{STORE}} v;
                }
            }{{EPILOGUE}}
        }

        """
    }
}
