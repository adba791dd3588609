#version 450
#define KV_F16 0
#define KV_Q8 0
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(set = 0, binding = 0, std430) readonly buffer ctl_block { uint ctl[]; };
layout(set = 0, binding = 1, std430) readonly buffer xq_block { float xq[]; };
layout(set = 0, binding = 2, std430) readonly buffer xk_block { float xk[]; };
layout(set = 0, binding = 3, std430) readonly buffer xv_block { float xv[]; };
layout(set = 0, binding = 4, std430) readonly buffer wq_block { float wq[]; };
layout(set = 0, binding = 5, std430) readonly buffer wk_block { float wk[]; };
layout(set = 0, binding = 6, std430) writeonly buffer qo_block { float qo[]; };
layout(set = 0, binding = 7, std430) writeonly buffer kc_block { float kc[]; };
layout(set = 0, binding = 8, std430) writeonly buffer vc_block { float vc[]; };
layout(push_constant) uniform PushConstants {
    uint qHeads;
    uint kvHeads;
    uint headDim;
    uint rotary;
    uint neox;
    float theta;
    uint hasNorm;
    float eps;
    uint capacity;
    uint posStride;
    uint headStride;
    uint scales;
} pc;
#define XQ(i) xq[i]
#define XK(i) xk[i]
#define XV(i) xv[i]
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

#if KV_Q8
float q8Block(float x[32], out uint words[8]) {
    float amax = 0.0;
    for (uint j = 0u; j < 32u; j++) { amax = max(amax, abs(x[j])); }
    float inverse = amax > 0.0 ? 127.0 / amax : 0.0;
    for (uint j = 0u; j < 8u; j++) {
        ivec4 q = clamp(ivec4(roundEven(vec4(x[4u * j], x[4u * j + 1u], x[4u * j + 2u], x[4u * j + 3u]) * inverse)),
                        ivec4(-127), ivec4(127));
        uvec4 b = uvec4(q) & 255u;
        words[j] = b.x | (b.y << 8u) | (b.z << 16u) | (b.w << 24u);
    }
    return amax * (1.0 / 127.0);
}
vec4 q8Bytes(uint w) { return vec4(ivec4(uvec4(w << 24u, w << 16u, w << 8u, w)) >> 24); }
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

void main() {
    uint t = gl_WorkGroupID.y;
    if (t >= ctl[1]) { return; }
    headRow(gl_WorkGroupID.x, t, true, true);
}
