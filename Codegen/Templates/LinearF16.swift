extension KernelTemplate {
    /// `y = x · Wᵀ` with W stored as f16 pairs (`uvec4` = 8 weights): eight
    /// invocations share a row, each reads every eighth `uvec4`, and their
    /// partial sums meet in shared memory. Tokens go in tiles of eight so one
    /// weight load serves up to eight tokens (prefill); decode is a tile of one.
    /// `lastOnly` reads only row `count - 1` of x (the logits of the last
    /// position) and writes row 0 of y.
    public static let linearF16 = KernelTemplate(name: "linear_f16", source: """
        #version 450
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}
        shared float partial[512];

        void main() {
            uint tid = gl_LocalInvocationID.x;
            uint lane = tid & 7u;
            uint r = tid >> 3u;
            uint row = gl_WorkGroupID.x * 8u + r;
            bool valid = row < pc.rows;
            uint count = ctl[1];
            uint tokens = pc.lastOnly != 0u ? 1u : count;
            uint firstToken = pc.lastOnly != 0u ? count - 1u : 0u;
            uint wordsPerRow = pc.inFeatures / 8u;
            uint vecsPerRow = pc.inFeatures / 4u;
            for (uint t0 = 0u; t0 < tokens; t0 += 8u) {
                float acc[8] = float[8](0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
                if (valid) {
                    for (uint j = lane; j < wordsPerRow; j += 8u) {
                        uvec4 p = w[row * wordsPerRow + j];
                        vec4 wa = vec4(unpackHalf2x16(p.x), unpackHalf2x16(p.y));
                        vec4 wb = vec4(unpackHalf2x16(p.z), unpackHalf2x16(p.w));
                        for (uint tt = 0u; tt < 8u; tt++) {
                            uint t = t0 + tt;
                            if (t < tokens) {
                                uint xi = (firstToken + t) * vecsPerRow + 2u * j;
                                acc[tt] += dot(wa, x[xi]) + dot(wb, x[xi + 1u]);
                            }
                        }
                    }
                }
                for (uint tt = 0u; tt < 8u; tt++) { partial[tid * 8u + tt] = acc[tt]; }
                barrier();
                // Lane l of each row finishes token t0 + l.
                uint t = t0 + lane;
                if (valid && t < tokens) {
                    float s = 0.0;
                    for (uint l = 0u; l < 8u; l++) { s += partial[(r * 8u + l) * 8u + lane]; }
                    if (pc.softcap > 0.0) { s = pc.softcap * tanh(clamp(s / pc.softcap, -15.0, 15.0)); }
                    y[t * pc.outStride + pc.rowOffset + row] = s;
                }
                barrier();
            }
        }

        """)
}

extension KernelSpec {
    /// Bindings ctl (0), x (1, vec4), w (2, f16 rows as uvec4), y (3).
    /// Dispatch ⌈rows / 8⌉ workgroups.
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
