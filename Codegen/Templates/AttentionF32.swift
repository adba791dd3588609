extension KernelTemplate {
    /// Causal attention of the step's queries against the KV cache, one
    /// workgroup per (token, query head). Keys go in tiles of 64 (one per
    /// invocation) with an online softmax, so any cache length works; each
    /// invocation accumulates headDim / 64 output dims. Grouped-query heads
    /// share a KV head; `window` > 0 limits keys to the last `window`
    /// positions; `softcap` > 0 caps scores with tanh.
    public static let attentionF32 = KernelTemplate(name: "attention_f32", source: """
        #version 450
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}
        shared float qs[512];
        shared float scores[64];

        void main() {
            uint tid = gl_LocalInvocationID.x;
            uint pairIndex = gl_WorkGroupID.x;
            uint t = pairIndex / pc.heads;
            if (t >= ctl[1]) { return; }
            uint h = pairIndex % pc.heads;
            uint D = pc.headDim;
            uint position = ctl[0] + t;
            uint first = (pc.window > 0u && position + 1u > pc.window) ? position + 1u - pc.window : 0u;
            uint kvOffset = (h / (pc.heads / pc.kvHeads)) * D;
            uint rowStride = pc.kvHeads * D;
            for (uint d = tid; d < D; d += 64u) { qs[d] = q[pairIndex * D + d]; }
            barrier();
            float m = -1.0e30;
            float l = 0.0;
            float acc[8] = float[8](0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
            for (uint j0 = first; j0 <= position; j0 += 64u) {
                uint j = j0 + tid;
                float s = -1.0e30;
                if (j <= position) {
                    uint kb = j * rowStride + kvOffset;
                    s = 0.0;
                    for (uint d = 0u; d < D; d++) { s += qs[d] * kc[kb + d]; }
                    s *= pc.scale;
                    if (pc.softcap > 0.0) { s = pc.softcap * tanh(clamp(s / pc.softcap, -15.0, 15.0)); }
                }
                scores[tid] = s;
                barrier();
                uint n = min(64u, position + 1u - j0);
                float tileMax = -1.0e30;
                for (uint i = 0u; i < n; i++) { tileMax = max(tileMax, scores[i]); }
                float mNew = max(m, tileMax);
                float alpha = exp(m - mNew);
                l *= alpha;
                for (uint c = 0u; c < 8u; c++) { acc[c] *= alpha; }
                for (uint i = 0u; i < n; i++) {
                    float e = exp(scores[i] - mNew);
                    l += e;
                    uint vb = (j0 + i) * rowStride + kvOffset;
                    for (uint c = 0u; c < 8u; c++) {
                        uint d = tid + 64u * c;
                        if (d < D) { acc[c] += e * vc[vb + d]; }
                    }
                }
                m = mNew;
                barrier();
            }
            for (uint c = 0u; c < 8u; c++) {
                uint d = tid + 64u * c;
                if (d < D) { o[pairIndex * D + d] = acc[c] / l; }
            }
        }

        """)
}

extension KernelSpec {
    /// Bindings ctl (0), q (1), k cache (2), v cache (3), out (4); dispatch
    /// tokens · heads workgroups. headDim ≤ 512.
    public static let attentionF32 = KernelSpec(
        name: "attention_f32", template: KernelTemplate.attentionF32.name, workgroupSize: .init(64),
        bindings: [
            .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
            .init(name: "q", binding: 1, access: .readOnly, elementType: "float"),
            .init(name: "kc", binding: 2, access: .readOnly, elementType: "float"),
            .init(name: "vc", binding: 3, access: .readOnly, elementType: "float"),
            .init(name: "o", binding: 4, access: .writeOnly, elementType: "float"),
        ],
        pushConstants: [
            .init(name: "heads", type: .uint), .init(name: "kvHeads", type: .uint), .init(name: "headDim", type: .uint),
            .init(name: "window", type: .uint), .init(name: "scale", type: .float), .init(name: "softcap", type: .float),
        ])
}
