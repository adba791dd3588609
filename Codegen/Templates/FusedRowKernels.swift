/// Row-wise fused kernels: one workgroup per token row (residual_norm) or
/// per (head, token) (qk_norm_rope). Their norms and rotations use the
/// formulas of the per-op kernels (RMSNormF32, RoPEAndKV), so a fused
/// pipeline differs from the per-op one only in summation order.
/// GLSL: `total(v)`, the sum of v over a 64-invocation workgroup (all
/// invocations must call it).
let workgroupTotal = """
    shared float red[64];

    float total(float v) {
        uint tid = gl_LocalInvocationID.x;
        red[tid] = v;
        barrier();
        for (uint stride = 32u; stride > 0u; stride >>= 1u) {
            if (tid < stride) { red[tid] += red[tid + stride]; }
            barrier();
        }
        float r = red[0];
        barrier();
        return r;
    }
    """

/// GLSL: `residualRow(base, dim)`, the residual row over elements
/// base ..< base + dim: s = a + (hasPost ? y / rms(y) · gp : y), n = s /
/// rms(s) · g, reading buffers a, y, gp, g and writing s, n, with push
/// constants hasPost, epsPost, eps. Every invocation of the 64-wide
/// workgroup must call it. `residual_norm` runs it per token row, the
/// matvec_residual_norm epilogue once over the whole output.
let residualRowFunction = workgroupTotal + """


    void residualRow(uint base, uint dim) {
        uint tid = gl_LocalInvocationIndex;
        float inv = 1.0;
        if (pc.hasPost != 0u) {
            float q = 0.0;
            for (uint i = tid; i < dim; i += 64u) { float v = y[base + i]; q += v * v; }
            inv = inversesqrt(total(q) / float(dim) + pc.epsPost);
        }
        float q = 0.0;
        for (uint i = tid; i < dim; i += 64u) {
            float v = a[base + i] + (pc.hasPost != 0u ? y[base + i] * inv * gp[i] : y[base + i]);
            s[base + i] = v;
            q += v * v;
        }
        float invS = inversesqrt(total(q) / float(dim) + pc.eps);
        for (uint i = tid; i < dim; i += 64u) { n[base + i] = s[base + i] * invS * g[i]; }
    }
    """

extension KernelTemplate {
    /// s = a + (hasPost ? y / rms(y) · gp : y);  n = s / rms(s) · g, per
    /// token row of `dim`.
    public static let residualNorm = KernelTemplate(name: "residual_norm", source: """
        #version 450
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}
        \(residualRowFunction)

        void main() {
            uint t = gl_WorkGroupID.x;
            if (t >= ctl[1]) { return; }
            residualRow(t * pc.dim, pc.dim);
        }

        """)

    /// Workgroup (h, t) runs `headRow` (HeadRow.swift) for head h of token
    /// t: query heads are normalized, rotated and stored to qo; key heads
    /// go to the key cache at ctl.position + t with their value head.
    public static let qkNormRoPE = KernelTemplate(name: "qk_norm_rope", source: """
        #version 450
        #define KV_F16 {{KV_F16}}
        #define KV_Q8 {{KV_Q8}}
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}
        #define XQ(i) xq[i]
        #define XK(i) xk[i]
        #define XV(i) xv[i]
        \(headRowFunction)

        void main() {
            uint t = gl_WorkGroupID.y;
            if (t >= ctl[1]) { return; }
            headRow(gl_WorkGroupID.x, t, true, true);
        }

        """)
}

/// Templates of fused kernels (the weight-reading ones are variants of the
/// weight templates, chosen by spec parameters).
let fusedKernelTemplates: [KernelTemplate] = [.residualNorm, .qkNormRoPE]

extension KernelSpec {
    /// Bindings ctl (0), a (1), y (2), gp (3, the branch's post-norm weight;
    /// any buffer when hasPost = 0), g (4), s (5), n (6); dispatch one
    /// workgroup per token.
    public static let residualNorm = KernelSpec(
        name: "residual_norm", template: KernelTemplate.residualNorm.name, workgroupSize: .init(64),
        bindings: [
            .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
            .init(name: "a", binding: 1, access: .readOnly, elementType: "float"),
            .init(name: "y", binding: 2, access: .readOnly, elementType: "float"),
            .init(name: "gp", binding: 3, access: .readOnly, elementType: "float"),
            .init(name: "g", binding: 4, access: .readOnly, elementType: "float"),
            .init(name: "s", binding: 5, access: .readWrite, elementType: "float"),
            .init(name: "n", binding: 6, access: .writeOnly, elementType: "float"),
        ],
        pushConstants: [
            .init(name: "dim", type: .uint), .init(name: "hasPost", type: .uint),
            .init(name: "epsPost", type: .float), .init(name: "eps", type: .float),
        ])

    /// Bindings ctl (0), q (1), k (2), v (3), q-norm weight (4), k-norm
    /// weight (5; 4 and 5 any buffer when hasNorm = 0), rotated q out (6),
    /// k cache (7), v cache (8) laid out and stored as kv_write's
    /// (posStride, headStride, scales; `KVCacheElement`); dispatch (qHeads +
    /// kvHeads, tokens). headDim ≤ 512.
    public static let qkNormRoPE = qkNormRoPE(.f32)

    public static func qkNormRoPE(_ element: KVCacheElement) -> KernelSpec { KernelSpec(
        name: element == .f32 ? "qk_norm_rope" : "qk_norm_rope" + element.kernelSuffix,
        template: KernelTemplate.qkNormRoPE.name,
        workgroupSize: .init(64),
        bindings: [
            .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
            .init(name: "xq", binding: 1, access: .readOnly, elementType: "float"),
            .init(name: "xk", binding: 2, access: .readOnly, elementType: "float"),
            .init(name: "xv", binding: 3, access: .readOnly, elementType: "float"),
            .init(name: "wq", binding: 4, access: .readOnly, elementType: "float"),
            .init(name: "wk", binding: 5, access: .readOnly, elementType: "float"),
            .init(name: "qo", binding: 6, access: .writeOnly, elementType: "float"),
            .init(name: "kc", binding: 7, access: .writeOnly, elementType: element.storedType),
            .init(name: "vc", binding: 8, access: .writeOnly, elementType: element.storedType),
        ],
        pushConstants: [
            .init(name: "qHeads", type: .uint), .init(name: "kvHeads", type: .uint), .init(name: "headDim", type: .uint),
            .init(name: "rotary", type: .uint), .init(name: "neox", type: .uint), .init(name: "theta", type: .float),
            .init(name: "hasNorm", type: .uint), .init(name: "eps", type: .float), .init(name: "capacity", type: .uint),
            .init(name: "posStride", type: .uint), .init(name: "headStride", type: .uint),
            .init(name: "scales", type: .uint),
        ],
        parameters: element.parameters)
    }
}
