/// GLSL: `headRow(h, t, keys, values)`, what `qk_norm_rope` does for one
/// head of one token, shared with the `qkv_rope` epilogue
/// (WeightKernels.qkvRoPESpec). A query head (h < qHeads) is normalized
/// (hasNorm), rotated and stored to qo; for key head h − qHeads, `keys`
/// normalizes, rotates and stores it to the key cache at ctl[0] + t, and
/// `values` copies its value head to the value cache (f32, or packed as
/// KV_F16 / KV_Q8 say). Pairs as in rope_f32; dims past `rotary` are copied.
///
/// The including kernel defines KV_F16 and KV_Q8, the buffers ctl, wq, wk,
/// qo, kc and vc, the push constants of `KernelSpec.qkNormRoPE`, and the
/// macros XQ(i), XK(i) and XV(i) reading element i of the projections (a
/// token's heads one after another). Every invocation of the 64-wide
/// workgroup must call it with the same arguments.
let headRowFunction = workgroupTotal + """


    #if KV_Q8
    \(KernelTemplate.q8CacheFunctions)
    #endif
    #if KV_F16 || KV_Q8
    shared float kr[512];
    #endif

    void headRow(uint h, uint t, bool keys, bool values) {
        uint tid = gl_LocalInvocationID.x;
        bool isQ = h < pc.qHeads;
        uint head = isQ ? h : h - pc.qHeads;
        uint rowLen = (isQ ? pc.qHeads : pc.kvHeads) * pc.headDim;
        uint src = t * rowLen + head * pc.headDim;
        uint position = ctl[0] + t;
        uint dst = isQ ? src : position * pc.posStride + head * pc.headStride;
        bool store = isQ || position < pc.capacity;
        if (isQ || keys) {
            float inv = 1.0;
            if (pc.hasNorm != 0u) {
                float q = 0.0;
                for (uint i = tid; i < pc.headDim; i += 64u) {
                    float v = isQ ? XQ(src + i) : XK(src + i);
                    q += v * v;
                }
                inv = inversesqrt(total(q) / float(pc.headDim) + pc.eps);
            }
            uint rotaryHalf = pc.rotary / 2u;
            for (uint pair = tid; pair < pc.headDim / 2u; pair += 64u) {
                uint ia, ib;
                if (pair < rotaryHalf) {
                    ia = pc.neox != 0u ? pair : 2u * pair;
                    ib = pc.neox != 0u ? pair + rotaryHalf : 2u * pair + 1u;
                } else {
                    ia = pc.rotary + 2u * (pair - rotaryHalf);
                    ib = ia + 1u;
                }
                float a = isQ ? XQ(src + ia) : XK(src + ia);
                float b = isQ ? XQ(src + ib) : XK(src + ib);
                if (pc.hasNorm != 0u) {
                    a = a * inv * (isQ ? wq[ia] : wk[ia]);
                    b = b * inv * (isQ ? wq[ib] : wk[ib]);
                }
                if (pair < rotaryHalf) {
                    float inverseFrequency = exp2(-2.0 * float(pair) / float(pc.rotary) * log2(pc.theta));
                    float angle = float(position) * inverseFrequency;
                    angle -= 6.283185307179586 * floor(angle / 6.283185307179586);
                    float cs = cos(angle), sn = sin(angle);
                    float ra = a * cs - b * sn;
                    b = a * sn + b * cs;
                    a = ra;
                }
                if (isQ) {
                    qo[dst + ia] = a;
                    qo[dst + ib] = b;
                } else if (store) {
    #if KV_F16 || KV_Q8
                    kr[ia] = a;
                    kr[ib] = b;
    #else
                    kc[dst + ia] = a;
                    kc[dst + ib] = b;
    #endif
                }
            }
        }
    #if KV_Q8
        // A block's scale needs all 32 of its values: quantize once the
        // head is rotated, an invocation per block of keys or of values.
        barrier();
        if (!isQ && store) {
            uint blocks = pc.headDim / 32u;
            for (uint b = tid; b < 2u * blocks; b += 64u) {
                bool isK = b < blocks;
                if (isK ? !keys : !values) { continue; }
                uint first = (isK ? b : b - blocks) * 32u;
                float vals[32];
                for (uint j = 0u; j < 32u; j++) { vals[j] = isK ? kr[first + j] : XV(src + first + j); }
                uint words[8];
                uint scale = floatBitsToUint(q8Block(vals, words));
                uint at = dst + first;
                if (isK) {
                    kc[pc.scales + at / 32u] = scale;
                    for (uint j = 0u; j < 8u; j++) { kc[at / 4u + j] = words[j]; }
                } else {
                    vc[pc.scales + at / 32u] = scale;
                    for (uint j = 0u; j < 8u; j++) { vc[at / 4u + j] = words[j]; }
                }
            }
        }
    #elif KV_F16
        // Adjacent halves share a word: pack them once the head is rotated.
        barrier();
        if (!isQ && store) {
            for (uint p = tid; p < pc.headDim / 2u; p += 64u) {
                if (keys) { kc[(dst >> 1u) + p] = packHalf2x16(vec2(kr[2u * p], kr[2u * p + 1u])); }
                if (values) { vc[(dst >> 1u) + p] = packHalf2x16(vec2(XV(src + 2u * p), XV(src + 2u * p + 1u))); }
            }
        }
    #else
        if (!isQ && store && values) {
            for (uint i = tid; i < pc.headDim; i += 64u) { vc[dst + i] = XV(src + i); }
        }
    #endif
    }
    """
