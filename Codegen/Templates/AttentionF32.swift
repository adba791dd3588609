extension KernelTemplate {
    /// Causal attention of the step's queries against the KV cache, one
    /// workgroup per (token, query head). Keys go in tiles of 64 (one per
    /// invocation) with an online softmax, so any cache length works; each
    /// invocation accumulates headDim / 64 output dims. Grouped-query heads
    /// share a KV head; `window` > 0 limits keys to the last `window`
    /// positions; `softcap` > 0 caps scores with tanh. The cache holds
    /// element (position, head, d) at `position · posStride + head ·
    /// headStride + d` (see kv_write), as f32 or, with KV_F16, as f16
    /// halves two to a u32 word.
    ///
    /// With SPLIT (decode), workgroup (h, s) of a (heads, splits) grid takes
    /// the s-th of `splits` equal ranges of the keys, writes its partial
    /// softmax state (max, sum, unnormalized output) to `partial`, and
    /// counts itself in `counter[h]`; the last split of a head to finish
    /// merges the partials into the output and resets the counter. No
    /// workgroup waits for another.
    public static let attention = KernelTemplate(name: "attention", source: """
        #version 450
        #define KV_F16 {{KV_F16}}
        #define SPLIT {{SPLIT}}
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}
        shared float qs[512];
        shared float scores[64];
        #if SPLIT
        shared bool lastSplit;
        #endif

        #if KV_F16
        float vAt(uint i) { return unpackHalf2x16(vc[i >> 1u])[i & 1u]; }
        #else
        float vAt(uint i) { return vc[i]; }
        #endif

        void main() {
            uint tid = gl_LocalInvocationID.x;
            uint pairIndex = gl_WorkGroupID.x;
            uint t = pairIndex / pc.heads;
            if (t >= ctl[1]) { return; }
            uint h = pairIndex % pc.heads;
            uint D = pc.headDim;
            uint position = ctl[0] + t;
            uint first = (pc.window > 0u && position + 1u > pc.window) ? position + 1u - pc.window : 0u;
            uint lo = first, hi = position + 1u;
        #if SPLIT
            uint splits = gl_NumWorkGroups.y;
            uint chunk = (hi - lo + splits - 1u) / splits;
            lo = min(hi, first + gl_WorkGroupID.y * chunk);
            hi = min(hi, lo + chunk);
        #endif
            uint kvOffset = (h / (pc.heads / pc.kvHeads)) * pc.headStride;
            for (uint d = tid; d < D; d += 64u) { qs[d] = q[pairIndex * D + d]; }
            barrier();
            float m = -1.0e30;
            float l = 0.0;
            float acc[8] = float[8](0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
            for (uint j0 = lo; j0 < hi; j0 += 64u) {
                uint j = j0 + tid;
                float s = -1.0e30;
                if (j < hi) {
                    uint kb = j * pc.posStride + kvOffset;
                    s = 0.0;
        #if KV_F16
                    for (uint d = 0u; d < D; d += 2u) {
                        vec2 kk = unpackHalf2x16(kc[(kb + d) >> 1u]);
                        s += qs[d] * kk.x + qs[d + 1u] * kk.y;
                    }
        #else
                    for (uint d = 0u; d < D; d++) { s += qs[d] * kc[kb + d]; }
        #endif
                    s *= pc.scale;
                    if (pc.softcap > 0.0) { s = pc.softcap * tanh(clamp(s / pc.softcap, -15.0, 15.0)); }
                }
                scores[tid] = s;
                barrier();
                uint n = min(64u, hi - j0);
                float tileMax = -1.0e30;
                for (uint i = 0u; i < n; i++) { tileMax = max(tileMax, scores[i]); }
                float mNew = max(m, tileMax);
                float alpha = exp(m - mNew);
                l *= alpha;
                for (uint c = 0u; c < 8u; c++) { acc[c] *= alpha; }
                for (uint i = 0u; i < n; i++) {
                    float e = exp(scores[i] - mNew);
                    l += e;
                    uint vb = (j0 + i) * pc.posStride + kvOffset;
                    for (uint c = 0u; c < 8u; c++) {
                        uint d = tid + 64u * c;
                        if (d < D) { acc[c] += e * vAt(vb + d); }
                    }
                }
                m = mNew;
                barrier();
            }
        #if SPLIT
            uint stride = D + 2u;
            uint part = (pairIndex * splits + gl_WorkGroupID.y) * stride;
            if (tid == 0u) { partial[part] = m; partial[part + 1u] = l; }
            for (uint c = 0u; c < 8u; c++) {
                uint d = tid + 64u * c;
                if (d < D) { partial[part + 2u + d] = acc[c]; }
            }
            memoryBarrierBuffer();
            barrier();
            if (tid == 0u) { lastSplit = atomicAdd(counter[pairIndex], 1u) == splits - 1u; }
            barrier();
            if (lastSplit) {
                memoryBarrierBuffer();
                uint base = pairIndex * splits * stride;
                float mAll = -1.0e30;
                for (uint k = 0u; k < splits; k++) { mAll = max(mAll, partial[base + k * stride]); }
                float lAll = 0.0;
                float merged[8] = float[8](0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
                for (uint k = 0u; k < splits; k++) {
                    uint b = base + k * stride;
                    float w = exp(partial[b] - mAll);
                    lAll += w * partial[b + 1u];
                    for (uint c = 0u; c < 8u; c++) {
                        uint d = tid + 64u * c;
                        if (d < D) { merged[c] += w * partial[b + 2u + d]; }
                    }
                }
                for (uint c = 0u; c < 8u; c++) {
                    uint d = tid + 64u * c;
                    if (d < D) { o[pairIndex * D + d] = merged[c] / lAll; }
                }
                if (tid == 0u) { counter[pairIndex] = 0u; }
            }
        #else
            for (uint c = 0u; c < 8u; c++) {
                uint d = tid + 64u * c;
                if (d < D) { o[pairIndex * D + d] = acc[c] / l; }
            }
        #endif
        }

        """)
}

extension KernelSpec {
    /// Bindings ctl (0), q (1), k cache (2), v cache (3), out (4); push
    /// heads, kvHeads, headDim, window, scale, softcap, posStride,
    /// headStride; dispatch tokens · heads workgroups. headDim ≤ 512 (even
    /// for an f16 cache).
    ///
    /// `split` (decode only): also partial (5, f32 [heads · splits ·
    /// (headDim + 2)]) and counter (6, u32 [heads], zero between
    /// dispatches); dispatch (heads, splits).
    public static func attention(f16: Bool, split: Bool = false) -> KernelSpec {
        KernelSpec(
            name: (split ? "attention_split" : "attention") + (f16 ? "_kv_f16" : "_f32"),
            template: KernelTemplate.attention.name,
            workgroupSize: .init(64),
            bindings: [
                .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
                .init(name: "q", binding: 1, access: .readOnly, elementType: "float"),
                .init(name: "kc", binding: 2, access: .readOnly, elementType: f16 ? "uint" : "float"),
                .init(name: "vc", binding: 3, access: .readOnly, elementType: f16 ? "uint" : "float"),
                .init(name: "o", binding: 4, access: .writeOnly, elementType: "float"),
            ] + (split ? [
                .init(name: "partial", binding: 5, access: .coherent, elementType: "float"),
                .init(name: "counter", binding: 6, access: .coherent, elementType: "uint"),
            ] : []),
            pushConstants: [
                .init(name: "heads", type: .uint), .init(name: "kvHeads", type: .uint), .init(name: "headDim", type: .uint),
                .init(name: "window", type: .uint), .init(name: "scale", type: .float), .init(name: "softcap", type: .float),
                .init(name: "posStride", type: .uint), .init(name: "headStride", type: .uint),
            ],
            parameters: ["KV_F16": f16 ? "1" : "0", "SPLIT": split ? "1" : "0"])
    }

    public static let attentionF32 = attention(f16: false)
}
