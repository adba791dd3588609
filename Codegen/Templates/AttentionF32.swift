extension KernelTemplate {
    /// Causal attention of the step's queries against the KV cache, one
    /// workgroup per (token, query head). Keys go in tiles of 64 (one per
    /// invocation) with an online softmax, so any cache length works; each
    /// invocation accumulates headDim / 64 output dims. Grouped-query heads
    /// share a KV head; `window` > 0 limits keys to the last `window`
    /// positions; `softcap` > 0 caps scores with tanh. The cache holds
    /// element (position, head, d) at `position · posStride + head ·
    /// headStride + d` (see kv_write), as f32, f16 halves two to a word
    /// (KV_F16) or q8_0 blocks (KV_Q8; see `KVCacheElement`).
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
        #define KV_Q8 {{KV_Q8}}
        #define SPLIT {{SPLIT}}
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}
        shared float scores[64];
        #if SPLIT
        shared bool lastSplit;
        #endif

        // Four values of the value cache from element i (a multiple of 4).
        #if KV_Q8
        \(q8CacheFunctions)
        vec4 v4(uint i) { return q8Bytes(vc[i >> 2u]) * uintBitsToFloat(vc[pc.scales + i / 32u]); }
        #elif KV_F16
        vec4 v4(uint i) { uvec2 w = vc[i >> 2u]; return vec4(unpackHalf2x16(w.x), unpackHalf2x16(w.y)); }
        #else
        vec4 v4(uint i) { return vc[i >> 2u]; }
        #endif

        void main() {
            uint tid = gl_LocalInvocationID.x;
            uint pairIndex = gl_WorkGroupID.x;
            uint t = pairIndex / pc.heads;
            // No early return for tokens past the count: on lavapipe every load
            // after a return runs masked, a loop over the lanes. Their key range
            // is empty and they store nothing.
            bool live = t < ctl[1];
            uint h = pairIndex % pc.heads;
            uint D = pc.headDim;
            uint position = ctl[0] + t;
            uint first = (pc.window > 0u && position + 1u > pc.window) ? position + 1u - pc.window : 0u;
            uint lo = first, hi = live ? position + 1u : first;
        #if SPLIT
            uint splits = gl_NumWorkGroups.y;
            uint chunk = (hi - lo + splits - 1u) / splits;
            lo = min(hi, first + gl_WorkGroupID.y * chunk);
            hi = min(hi, lo + chunk);
        #endif
            uint kvOffset = (h / (pc.heads / pc.kvHeads)) * pc.headStride;
            // q is read straight from its buffer at the same address in every
            // invocation (one load and a broadcast), not from shared memory.
            uint qBase = pairIndex * D;
            float m = -1.0e30;
            float l = 0.0;
            // Invocation tid owns output dims d0 = 4·tid ..< d0 + 4 and, for
            // heads past 256, d1 = d0 + 256 ..< d1 + 4. Two named vectors, not an
            // indexed array: lavapipe spills indexed local arrays to memory.
            uint d0 = 4u * tid, d1 = d0 + 256u;
            bool has0 = live && d0 < D, has1 = live && d1 < D;
            vec4 acc0 = vec4(0.0), acc1 = vec4(0.0);
            for (uint j0 = lo; j0 < hi; j0 += 64u) {
                uint j = j0 + tid;
                float s = 0.0;
                {
                    // Keys past the range score a clamped key and are masked below.
                    uint kb = min(j, hi - 1u) * pc.posStride + kvOffset;
                    // Wide loads: on CPU devices each per-invocation load is a
                    // loop over the lanes, so 16 or 32 bytes at a time.
        #if KV_Q8
                    for (uint d = 0u; d < D; d += 32u) {
                        uint sw = pc.scales + (kb + d) / 32u;
                        float part = 0.0;
                        for (uint e = d; e < d + 32u; e += 16u) {
                            uvec4 w = kc[(kb + e) >> 4u];
                            part += dot(q[(qBase + e) >> 2u], q8Bytes(w.x)) + dot(q[(qBase + e + 4u) >> 2u], q8Bytes(w.y))
                                + dot(q[(qBase + e + 8u) >> 2u], q8Bytes(w.z)) + dot(q[(qBase + e + 12u) >> 2u], q8Bytes(w.w));
                        }
                        s += uintBitsToFloat(kc[sw >> 2u][sw & 3u]) * part;
                    }
        #elif KV_F16
                    for (uint d = 0u; d < D; d += 8u) {
                        uvec4 w = kc[(kb + d) >> 3u];
                        vec4 qa = q[(qBase + d) >> 2u], qb = q[(qBase + d + 4u) >> 2u];
                        vec2 k0 = unpackHalf2x16(w.x), k1 = unpackHalf2x16(w.y);
                        vec2 k2 = unpackHalf2x16(w.z), k3 = unpackHalf2x16(w.w);
                        s += qa.x * k0.x; s += qa.y * k0.y; s += qa.z * k1.x; s += qa.w * k1.y;
                        s += qb.x * k2.x; s += qb.y * k2.y; s += qb.z * k3.x; s += qb.w * k3.y;
                    }
        #else
                    for (uint d = 0u; d < D; d += 4u) {
                        vec4 kk = kc[(kb + d) >> 2u];
                        vec4 qq = q[(qBase + d) >> 2u];
                        s += qq.x * kk.x; s += qq.y * kk.y; s += qq.z * kk.z; s += qq.w * kk.w;
                    }
        #endif
                    s *= pc.scale;
                    if (pc.softcap > 0.0) { s = pc.softcap * tanh(clamp(s / pc.softcap, -15.0, 15.0)); }
                    s = j < hi ? s : -1.0e30;
                }
                scores[tid] = s;
                barrier();
                uint n = min(64u, hi - j0);
                float tileMax = -1.0e30;
                for (uint i = 0u; i < n; i++) { tileMax = max(tileMax, scores[i]); }
                float mNew = max(m, tileMax);
                float alpha = exp(m - mNew);
                l *= alpha;
                acc0 *= alpha;
                acc1 *= alpha;
                // Each invocation exponentiates its own key once (exp is a
                // libm call per lane on lavapipe); the weights replace the scores.
                float p = exp(s - mNew);
                barrier();
                scores[tid] = p;
                barrier();
                for (uint i = 0u; i < n; i++) {
                    float e = scores[i];
                    l += e;
                    uint vb = (j0 + i) * pc.posStride + kvOffset;
                    // Clamped addresses and a 0/1 weight rather than a branch: the
                    // loads stay unmasked.
                    acc0 += (has0 ? e : 0.0) * v4(vb + min(d0, D - 4u));
                    if (D > 256u) { acc1 += (has1 ? e : 0.0) * v4(vb + min(d1, D - 4u)); }
                }
                m = mNew;
                barrier();
            }
        #if SPLIT
            uint stride = D + 2u;
            uint part = (pairIndex * splits + gl_WorkGroupID.y) * stride;
            if (tid == 0u) { partial[part] = m; partial[part + 1u] = l; }
            if (has0) { for (uint k = 0u; k < 4u; k++) { partial[part + 2u + d0 + k] = acc0[k]; } }
            if (has1) { for (uint k = 0u; k < 4u; k++) { partial[part + 2u + d1 + k] = acc1[k]; } }
            \(splitArrival(lane: "tid", counter: "pairIndex", head: "pairIndex"))
                vec4 merged0 = vec4(0.0), merged1 = vec4(0.0);
                for (uint k = 0u; k < splits; k++) {
                    uint b = base + k * stride;
                    float w = exp(partial[b] - mAll);
                    lAll += w * partial[b + 1u];
                    if (has0) {
                        merged0 += w * vec4(partial[b + 2u + d0], partial[b + 3u + d0], partial[b + 4u + d0],
                                            partial[b + 5u + d0]);
                    }
                    if (has1) {
                        merged1 += w * vec4(partial[b + 2u + d1], partial[b + 3u + d1], partial[b + 4u + d1],
                                            partial[b + 5u + d1]);
                    }
                }
                if (has0) { for (uint k = 0u; k < 4u; k++) { o[pairIndex * D + d0 + k] = merged0[k] / lAll; } }
                if (has1) { for (uint k = 0u; k < 4u; k++) { o[pairIndex * D + d1 + k] = merged1[k] / lAll; } }
                if (tid == 0u) { counter[pairIndex] = 0u; }
            }
        #else
            if (has0) { for (uint k = 0u; k < 4u; k++) { o[pairIndex * D + d0 + k] = acc0[k] / l; } }
            if (has1) { for (uint k = 0u; k < 4u; k++) { o[pairIndex * D + d1 + k] = acc1[k] / l; } }
        #endif
        }

        """)
}

/// GLSL for a split attention workgroup that has stored its partial: it
/// counts itself in `counter[COUNTER]`, and the last of the `splits` to
/// arrive opens the merge (`if (lastSplit) {`, left open) with the partials
/// of head HEAD at `base`, their largest max `mAll` and a zero sum `lAll`.
func splitArrival(lane: String, counter: String, head: String) -> String {
    """
    memoryBarrierBuffer();
        barrier();
        if (\(lane) == 0u) { lastSplit = atomicAdd(counter[\(counter)], 1u) == splits - 1u; }
        barrier();
        if (lastSplit) {
            memoryBarrierBuffer();
            uint base = \(head) * splits * stride;
            float mAll = -1.0e30;
            for (uint k = 0u; k < splits; k++) { mAll = max(mAll, partial[base + k * stride]); }
            float lAll = 0.0;
    """
}

extension KernelSpec {
    /// Bindings ctl (0), q (1), k cache (2), v cache (3), out (4); push
    /// heads, kvHeads, headDim, window, scale, softcap, posStride,
    /// headStride, scales (`KVCacheElement`); dispatch tokens · heads
    /// workgroups. headDim ≤ 512 and a multiple of
    /// `element.headDimMultiple` (the cache is read 16 bytes at a time).
    /// The keys are read as uvec4 words, the values as one word (q8_0),
    /// two (f16) or a vec4 (f32) per 4 values.
    ///
    /// `split` (decode only): also partial (5, f32 [heads · splits ·
    /// (headDim + 2)]) and counter (6, u32 [heads], zero between
    /// dispatches); dispatch (heads, splits).
    public static func attention(_ element: KVCacheElement, split: Bool = false) -> KernelSpec {
        KernelSpec(
            name: (split ? "attention_split" : "attention") + element.kernelSuffix,
            template: KernelTemplate.attention.name,
            workgroupSize: .init(64),
            bindings: [
                .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
                .init(name: "q", binding: 1, access: .readOnly, elementType: "vec4"),
                .init(name: "kc", binding: 2, access: .readOnly, elementType: element == .f32 ? "vec4" : "uvec4"),
                .init(name: "vc", binding: 3, access: .readOnly,
                      elementType: element == .q8_0 ? "uint" : element == .f16 ? "uvec2" : "vec4"),
                .init(name: "o", binding: 4, access: .writeOnly, elementType: "float"),
            ] + (split ? [
                .init(name: "partial", binding: 5, access: .coherent, elementType: "float"),
                .init(name: "counter", binding: 6, access: .coherent, elementType: "uint"),
            ] : []),
            pushConstants: [
                .init(name: "heads", type: .uint), .init(name: "kvHeads", type: .uint), .init(name: "headDim", type: .uint),
                .init(name: "window", type: .uint), .init(name: "scale", type: .float), .init(name: "softcap", type: .float),
                .init(name: "posStride", type: .uint), .init(name: "headStride", type: .uint),
                .init(name: "scales", type: .uint),
            ],
            parameters: element.parameters.merging(["SPLIT": split ? "1" : "0"]) { a, _ in a })
    }
}
