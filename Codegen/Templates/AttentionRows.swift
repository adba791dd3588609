extension KernelTemplate {
    /// Causal attention with the queries in the lanes, for CPU devices
    /// (lavapipe): invocation (token, head) holds its query and output rows
    /// in registers and walks the keys of its KV head in blocks of BLOCK,
    /// with an online softmax. Every invocation of a workgroup shares one
    /// KV head and one key loop, so each cache texel fetched serves every
    /// lane's FMAs; the caches are read as texel buffers (on lavapipe a
    /// texel fetch is a straight-line gather, a storage-buffer load at a
    /// computed address a loop over the lanes: 28x slower here). HEAD_DIM
    /// and GROUP are specialization constants and every loop over the head
    /// is unrolled, so the query and output rows are registers (or stack
    /// slots at constant offsets), never an indexed array.
    ///
    /// Workgroup x covers KV head `x % kvHeads` and tokens `TOKENS · (x /
    /// kvHeads) ...`; lane `GROUP · tl + g` is token tl, query head
    /// `GROUP · kvHead + g`. The key loop runs over the union of the lanes'
    /// ranges; each lane masks the keys outside its own (causal, `window`).
    /// `softcap` > 0 caps scores with tanh. The cache layout and element
    /// types are kv_write's (see `attention`).
    ///
    /// With SPLIT (decode), workgroup (x, s) takes the s-th of `splits`
    /// equal ranges of the keys, writes each lane's partial softmax state
    /// (max, sum, unnormalized output) to `partial`, and counts itself in
    /// `counter[x]`; the last split to finish merges and resets the counter.
    public static let attentionRows = KernelTemplate(name: "attention_rows", source: """
        #version 450
        #extension GL_EXT_control_flow_attributes : require
        #extension GL_EXT_samplerless_texture_functions : require
        #define KV_F16 {{KV_F16}}
        #define KV_Q8 {{KV_Q8}}
        #define SPLIT {{SPLIT}}
        {{WORKGROUP_SIZE}}
        {{SPECIALIZATION_CONSTANTS}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}
        const uint TOKENS = {{TOKENS}}u;
        const uint BLOCK = {{BLOCK}}u;
        const uint W = HEAD_DIM / 4u;
        #if SPLIT
        shared bool lastSplit;
        #endif

        vec4 qr[W];
        vec4 acc[W];

        // The caches are texel buffers: a texel fetch is a straight-line
        // gather on lavapipe, a storage-buffer load at a computed address a
        // loop over the lanes. A texel holds 4 f32, 8 f16 or 16 q8_0 values
        // (PER vec4s); a q8_0 block of 32 is two texels and a scale.
        #if KV_Q8
        const uint PER = 4u;
        \(q8CacheFunctions)
        float scaleAt(utextureBuffer cache, uint word) { return uintBitsToFloat(texelFetch(cache, int(word >> 2u))[word & 3u]); }
        #elif KV_F16
        const uint PER = 2u;
        vec4 half4(uvec2 w) { return vec4(unpackHalf2x16(w.x), unpackHalf2x16(w.y)); }
        #else
        const uint PER = 1u;
        #endif
        uvec4 texel(utextureBuffer cache, uint e) { return texelFetch(cache, int(e / (4u * PER))); }

        // First key position a query at `position` sees.
        uint firstKey(uint position) {
            return (pc.window > 0u && position + 1u > pc.window) ? position + 1u - pc.window : 0u;
        }

        void main() {
            uint lane = gl_LocalInvocationID.x;
            uint kvHead = gl_WorkGroupID.x % pc.kvHeads;
            uint t0 = (gl_WorkGroupID.x / pc.kvHeads) * TOKENS;
            uint count = ctl[1];
            // No early return for tokens past the count: on lavapipe every load
            // after a return runs masked, a loop over the lanes. Their key range
            // is empty and they store nothing.
            uint t = t0 + lane / GROUP;
            bool live = t < count;
            uint h = kvHead * GROUP + lane % GROUP;
            uint position = ctl[0] + t;
            uint myLo = firstKey(position), myHi = live ? position + 1u : myLo;
            // The workgroup's key range: from the first token's first key to
            // the last live token's last (uniform: workgroup id and ctl only).
            uint lastToken = min(t0 + TOKENS, count);
            uint lo = firstKey(ctl[0] + t0), hi = lastToken > t0 ? ctl[0] + lastToken : lo;
        #if SPLIT
            uint splits = gl_NumWorkGroups.y;
            uint chunk = (hi - lo + splits - 1u) / splits;
            uint splitLo = min(hi, lo + gl_WorkGroupID.y * chunk);
            hi = min(hi, splitLo + chunk);
            lo = splitLo;
        #endif
            uint kvOffset = kvHead * pc.headStride;
            uint row = (min(t, max(count, 1u) - 1u) * pc.heads + h) * W;
            [[unroll]] for (uint c = 0u; c < W; c++) { qr[c] = q[row + c] * pc.scale; acc[c] = vec4(0.0); }
            // Keys this lane weighs: its own range within the workgroup's.
            myHi = min(myHi, hi);
            float m = -1.0e30;
            float l = 0.0;
            for (uint j0 = lo; j0 < hi; j0 += BLOCK) {
                float s[BLOCK];
                uint kb[BLOCK];
                [[unroll]] for (uint b = 0u; b < BLOCK; b++) {
                    s[b] = 0.0;
                    // Keys past the range read the last one and are masked below.
                    kb[b] = min(j0 + b, hi - 1u) * pc.posStride + kvOffset;
                }
        #if KV_Q8
                [[unroll]] for (uint c = 0u; c < W; c += 8u) {
                    [[unroll]] for (uint b = 0u; b < BLOCK; b++) {
                        uvec4 w0 = texel(kc, kb[b] + 4u * c), w1 = texel(kc, kb[b] + 4u * c + 16u);
                        float part = dot(qr[c], q8Bytes(w0.x)) + dot(qr[c + 1u], q8Bytes(w0.y))
                            + dot(qr[c + 2u], q8Bytes(w0.z)) + dot(qr[c + 3u], q8Bytes(w0.w))
                            + dot(qr[c + 4u], q8Bytes(w1.x)) + dot(qr[c + 5u], q8Bytes(w1.y))
                            + dot(qr[c + 6u], q8Bytes(w1.z)) + dot(qr[c + 7u], q8Bytes(w1.w));
                        s[b] += scaleAt(kc, pc.scales + (kb[b] + 4u * c) / 32u) * part;
                    }
                }
        #else
                [[unroll]] for (uint c = 0u; c < W; c += PER) {
                    [[unroll]] for (uint b = 0u; b < BLOCK; b++) {
                        uvec4 w = texel(kc, kb[b] + 4u * c);
        #if KV_F16
                        s[b] += dot(qr[c], half4(w.xy)) + dot(qr[c + 1u], half4(w.zw));
        #else
                        s[b] += dot(qr[c], uintBitsToFloat(w));
        #endif
                    }
                }
        #endif
                float blockMax = m;
                bool ok[BLOCK];
                [[unroll]] for (uint b = 0u; b < BLOCK; b++) {
                    uint j = j0 + b;
                    ok[b] = j >= myLo && j < myHi;
                    if (pc.softcap > 0.0) { s[b] = pc.softcap * tanh(clamp(s[b] / pc.softcap, -15.0, 15.0)); }
                    blockMax = ok[b] ? max(blockMax, s[b]) : blockMax;
                }
                float alpha = exp(m - blockMax);
                l *= alpha;
                [[unroll]] for (uint b = 0u; b < BLOCK; b++) {
                    s[b] = ok[b] ? exp(s[b] - blockMax) : 0.0;
                    l += s[b];
                }
        #if KV_Q8
                [[unroll]] for (uint c = 0u; c < W; c += 8u) {
                    [[unroll]] for (uint i = 0u; i < 8u; i++) { acc[c + i] *= alpha; }
                    [[unroll]] for (uint b = 0u; b < BLOCK; b++) {
                        float p = s[b] * scaleAt(vc, pc.scales + (kb[b] + 4u * c) / 32u);
                        uvec4 w0 = texel(vc, kb[b] + 4u * c), w1 = texel(vc, kb[b] + 4u * c + 16u);
                        acc[c] += p * q8Bytes(w0.x);
                        acc[c + 1u] += p * q8Bytes(w0.y);
                        acc[c + 2u] += p * q8Bytes(w0.z);
                        acc[c + 3u] += p * q8Bytes(w0.w);
                        acc[c + 4u] += p * q8Bytes(w1.x);
                        acc[c + 5u] += p * q8Bytes(w1.y);
                        acc[c + 6u] += p * q8Bytes(w1.z);
                        acc[c + 7u] += p * q8Bytes(w1.w);
                    }
                }
        #else
                [[unroll]] for (uint c = 0u; c < W; c += PER) {
                    vec4 a0 = acc[c] * alpha;
        #if KV_F16
                    vec4 a1 = acc[c + 1u] * alpha;
        #endif
                    [[unroll]] for (uint b = 0u; b < BLOCK; b++) {
                        uvec4 w = texel(vc, kb[b] + 4u * c);
        #if KV_F16
                        a0 += s[b] * half4(w.xy);
                        a1 += s[b] * half4(w.zw);
        #else
                        a0 += s[b] * uintBitsToFloat(w);
        #endif
                    }
                    acc[c] = a0;
        #if KV_F16
                    acc[c + 1u] = a1;
        #endif
                }
        #endif
                m = blockMax;
            }
        #if SPLIT
            uint stride = HEAD_DIM + 2u;
            uint part = (h * splits + gl_WorkGroupID.y) * stride;
            if (live) {
                partial[part] = m;
                partial[part + 1u] = l;
                [[unroll]] for (uint c = 0u; c < W; c++) {
                    [[unroll]] for (uint k = 0u; k < 4u; k++) { partial[part + 2u + 4u * c + k] = acc[c][k]; }
                }
            }
            \(splitArrival(lane: "lane", counter: "gl_WorkGroupID.x", head: "h"))
                [[unroll]] for (uint c = 0u; c < W; c++) { acc[c] = vec4(0.0); }
                for (uint k = 0u; k < splits; k++) {
                    uint b = base + k * stride;
                    float w = exp(partial[b] - mAll);
                    lAll += w * partial[b + 1u];
                    [[unroll]] for (uint c = 0u; c < W; c++) {
                        uint e = b + 2u + 4u * c;
                        acc[c] += w * vec4(partial[e], partial[e + 1u], partial[e + 2u], partial[e + 3u]);
                    }
                }
                if (live) { [[unroll]] for (uint c = 0u; c < W; c++) { o[row + c] = acc[c] / lAll; } }
                if (lane == 0u) { counter[gl_WorkGroupID.x] = 0u; }
            }
        #else
            if (live) { [[unroll]] for (uint c = 0u; c < W; c++) { o[row + c] = acc[c] / l; } }
        #endif
        }

        """)
}

extension KernelSpec {
    /// The queries-in-lanes attention (`attention_rows`): bindings and push
    /// constants as `attention`, but q and out are vec4 rows; dispatch
    /// (kvHeads · ⌈tokens / TOKENS⌉, splits) workgroups of `group · TOKENS`
    /// invocations, TOKENS = `attentionRowsTokens(group:)`. The caches are
    /// bound as texel buffers. headDim a multiple of `element.headDimMultiple`.
    ///
    /// `split` (decode only): partial (5, f32 [heads · splits · (headDim + 2)])
    /// and counter (6, u32 [kvHeads · ⌈tokens / TOKENS⌉], zero between
    /// dispatches).
    public static func attentionRows(_ element: KVCacheElement, split: Bool = false, headDim: Int,
                                     group: Int) -> KernelSpec {
        let tokens = attentionRowsTokens(group: group)
        return KernelSpec(
            name: (split ? "attention_rows_split" : "attention_rows") + element.kernelSuffix
                + "_\(headDim)x\(group)",
            template: KernelTemplate.attentionRows.name,
            workgroupSize: .init(group * tokens),
            bindings: [
                .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
                .init(name: "q", binding: 1, access: .readOnly, elementType: "vec4"),
                .init(name: "kc", binding: 2, kind: .texel, access: .readOnly, elementType: "uvec4"),
                .init(name: "vc", binding: 3, kind: .texel, access: .readOnly, elementType: "uvec4"),
                .init(name: "o", binding: 4, access: .writeOnly, elementType: "vec4"),
            ] + (split ? [
                .init(name: "partial", binding: 5, access: .coherent, elementType: "float"),
                .init(name: "counter", binding: 6, access: .coherent, elementType: "uint"),
            ] : []),
            specializationConstants: [
                .init(id: 0, name: "HEAD_DIM", value: .uint(UInt32(headDim))),
                .init(id: 1, name: "GROUP", value: .uint(UInt32(group))),
            ],
            pushConstants: attention(element).pushConstants,
            parameters: element.parameters.merging(["SPLIT": split ? "1" : "0", "TOKENS": "\(tokens)", "BLOCK": "4"]) { a, _ in a })
    }

    /// Tokens per `attention_rows` workgroup: enough for 8 lanes (one
    /// 256-bit vector of a CPU device) with `group` query heads per token.
    public static func attentionRowsTokens(group: Int) -> Int { max(1, 8 / group) }
}
