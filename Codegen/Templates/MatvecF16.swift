extension KernelTemplate {
    /// Decode-step `y = W · x` for one token, W row-major f16 (`uvec4` = 8
    /// weights). Shaped for llvmpipe (PERF_NOTES.md): one invocation per
    /// output row, the reduction length a compile-time constant so the loop
    /// unrolls and every read of x has a constant address, no early return
    /// (lanes past the last row recompute it and store nothing).
    public static let matvecF16 = KernelTemplate(name: "matvec_f16", source: """
        #version 450
        #extension GL_EXT_control_flow_attributes : require
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}
        const uint WORDS = {{IN_FEATURES}}u / 8u;

        void main() {
            uint row = min(gl_GlobalInvocationID.x, pc.rows - 1u);
            uint base = row * WORDS;
            vec4 acc0 = vec4(0.0);
            vec4 acc1 = vec4(0.0);
            [[unroll]] for (uint j = 0u; j < WORDS; j++) {
                uvec4 p = w[base + j];
                // f16 → f32: move the bits into place, rebias the exponent
                // with one multiply (see linear_f16).
                vec4 lo = uintBitsToFloat(((p & 0x7fffu) << 13u) | ((p & 0x8000u) << 16u)) * 5.192296858534828e33;
                vec4 hi = uintBitsToFloat(((p >> 3u) & 0x0fffe000u) | (p & 0x80000000u)) * 5.192296858534828e33;
                acc0 += vec4(lo.x, hi.x, lo.y, hi.y) * x[2u * j];
                acc1 += vec4(lo.z, hi.z, lo.w, hi.w) * x[2u * j + 1u];
            }
            vec4 acc = acc0 + acc1;
            float s = (acc.x + acc.y) + (acc.z + acc.w);
            if (pc.softcap > 0.0) { s = pc.softcap * tanh(clamp(s / pc.softcap, -15.0, 15.0)); }
            if (gl_GlobalInvocationID.x < pc.rows) { y[pc.rowOffset + row] = s; }
        }

        """)
}

extension KernelSpec {
    /// Bindings ctl (0, unused), x (1, vec4), w (2, f16 rows as uvec4), y (3);
    /// one kernel per in-features size. Dispatch ⌈rows / 64⌉ workgroups.
    public static func matvecF16(inFeatures: Int) -> KernelSpec {
        KernelSpec(
            name: "matvec_f16_k\(inFeatures)", template: KernelTemplate.matvecF16.name, workgroupSize: .init(64),
            bindings: [
                .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
                .init(name: "x", binding: 1, access: .readOnly, elementType: "vec4"),
                .init(name: "w", binding: 2, access: .readOnly, elementType: "uvec4"),
                .init(name: "y", binding: 3, access: .writeOnly, elementType: "float"),
            ],
            pushConstants: [
                .init(name: "rows", type: .uint), .init(name: "rowOffset", type: .uint),
                .init(name: "softcap", type: .float),
            ],
            parameters: ["IN_FEATURES": String(inFeatures)])
    }
}
