extension KernelTemplate {
    /// `y = x / rms(x) · w` per row of `dim`; one workgroup per row, rows =
    /// count · rowsPerToken (rowsPerToken = heads for per-head q/k norms).
    public static let rmsNormF32 = KernelTemplate(name: "rms_norm_f32", source: """
        #version 450
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}
        shared float red[64];

        void main() {
            uint row = gl_WorkGroupID.x;
            if (row >= ctl[1] * pc.rowsPerToken) { return; }
            uint tid = gl_LocalInvocationID.x;
            uint base = row * pc.dim;
            float s = 0.0;
            for (uint i = tid; i < pc.dim; i += 64u) { float v = x[base + i]; s += v * v; }
            red[tid] = s;
            barrier();
            for (uint stride = 32u; stride > 0u; stride >>= 1u) {
                if (tid < stride) { red[tid] += red[tid + stride]; }
                barrier();
            }
            float inv = inversesqrt(red[0] / float(pc.dim) + pc.eps);
            for (uint i = tid; i < pc.dim; i += 64u) { y[base + i] = x[base + i] * inv * w[i]; }
        }

        """)
}

extension KernelSpec {
    /// Bindings ctl (0), x (1), w (2), y (3); dispatch tokens · rowsPerToken
    /// workgroups.
    public static let rmsNormF32 = KernelSpec(
        name: "rms_norm_f32", template: KernelTemplate.rmsNormF32.name, workgroupSize: .init(64),
        bindings: [
            .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
            .init(name: "x", binding: 1, access: .readOnly, elementType: "float"),
            .init(name: "w", binding: 2, access: .readOnly, elementType: "float"),
            .init(name: "y", binding: 3, access: .writeOnly, elementType: "float"),
        ],
        pushConstants: [
            .init(name: "dim", type: .uint), .init(name: "rowsPerToken", type: .uint), .init(name: "eps", type: .float),
        ])
}
