extension KernelTemplate {
    /// `y = x · Wᵀ` with W stored as row-major f16 (`uvec4` = 8 weights),
    /// one invocation per output row and no shared memory or barriers.
    /// Tokens go in tiles of eight so one weight load serves up to eight
    /// tokens (prefill); decode is a tile of one. `lastOnly` reads only row
    /// `count - 1` of x (the logits of the last position) and writes row 0
    /// of y.
    public static let linearF16 = KernelTemplate(name: "linear_f16", source: """
        #version 450
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}
        // Accumulates token t0 + k of the tile into component c of a.
        #define TOKEN(k, a, c) if (t0 + k < tokens) { \
                uint xk = xi + k * vecsPerRow; \
                a.c += dot(wa, x[xk]) + dot(wb, x[xk + 1u]); }

        void main() {
            uint row = gl_GlobalInvocationID.x;
            if (row >= pc.rows) { return; }
            uint count = ctl[1];
            uint tokens = pc.lastOnly != 0u ? 1u : count;
            uint firstToken = pc.lastOnly != 0u ? count - 1u : 0u;
            uint wordsPerRow = pc.inFeatures / 8u;
            uint vecsPerRow = pc.inFeatures / 4u;
            // One invocation per output row, no shared memory or barriers
            // (llvmpipe runs a barrier-free shader as plain SIMD loops);
            // tiles of eight tokens in the components of two vec4s, since
            // indexed local arrays are spilled to memory.
            for (uint t0 = 0u; t0 < tokens; t0 += 8u) {
                vec4 acc = vec4(0.0);
                vec4 acc2 = vec4(0.0);
                for (uint j = 0u; j < wordsPerRow; j++) {
                    uvec4 p = w[row * wordsPerRow + j];
                    // f16 → f32 by shifting the bits into place and
                    // rebiasing the exponent with one multiply (exact for
                    // zeros, subnormals and normals); unpackHalf2x16 is
                    // several times slower on llvmpipe.
                    vec4 lo = uintBitsToFloat(((p & 0x7fffu) << 13u) | ((p & 0x8000u) << 16u)) * 5.192296858534828e33;
                    vec4 hi = uintBitsToFloat(((p >> 3u) & 0x0fffe000u) | (p & 0x80000000u)) * 5.192296858534828e33;
                    vec4 wa = vec4(lo.x, hi.x, lo.y, hi.y);
                    vec4 wb = vec4(lo.z, hi.z, lo.w, hi.w);
                    uint xi = (firstToken + t0) * vecsPerRow + 2u * j;
                    acc.x += dot(wa, x[xi]) + dot(wb, x[xi + 1u]);
                    TOKEN(1u, acc, y) TOKEN(2u, acc, z) TOKEN(3u, acc, w)
                    TOKEN(4u, acc2, x) TOKEN(5u, acc2, y) TOKEN(6u, acc2, z) TOKEN(7u, acc2, w)
                }
                for (uint k = 0u; k < 8u && t0 + k < tokens; k++) {
                    float s = k < 4u ? acc[k] : acc2[k - 4u];
                    if (pc.softcap > 0.0) { s = pc.softcap * tanh(clamp(s / pc.softcap, -15.0, 15.0)); }
                    y[(t0 + k) * pc.outStride + pc.rowOffset + row] = s;
                }
            }
        }

        """)
}

extension KernelSpec {
    /// Bindings ctl (0), x (1, vec4), w (2, f16 rows as uvec4), y (3).
    /// Dispatch ⌈rows / 64⌉ workgroups.
    public static let linearF16 = KernelSpec(
        name: "linear_f16", template: KernelTemplate.linearF16.name, workgroupSize: .init(64),
        bindings: [
            .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
            .init(name: "x", binding: 1, access: .readOnly, elementType: "vec4"),
            .init(name: "w", binding: 2, access: .readOnly, elementType: "uvec4"),
            .init(name: "y", binding: 3, access: .writeOnly, elementType: "float"),
        ],
        pushConstants: [
            .init(name: "inFeatures", type: .uint), .init(name: "rows", type: .uint),
            .init(name: "rowOffset", type: .uint), .init(name: "outStride", type: .uint),
            .init(name: "lastOnly", type: .uint), .init(name: "softcap", type: .float),
        ])
}
