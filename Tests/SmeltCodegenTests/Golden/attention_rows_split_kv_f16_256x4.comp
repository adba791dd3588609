#version 450
#extension GL_EXT_control_flow_attributes : require
#extension GL_EXT_samplerless_texture_functions : require
#define KV_F16 1
#define KV_Q8 0
#define SPLIT 1
layout(local_size_x = 8, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const uint HEAD_DIM = 1u;
layout(constant_id = 1) const uint GROUP = 1u;
layout(set = 0, binding = 0, std430) readonly buffer ctl_block { uint ctl[]; };
layout(set = 0, binding = 1, std430) readonly buffer q_block { vec4 q[]; };
layout(set = 0, binding = 2) uniform utextureBuffer kc;
layout(set = 0, binding = 3) uniform utextureBuffer vc;
layout(set = 0, binding = 4, std430) writeonly buffer o_block { vec4 o[]; };
layout(set = 0, binding = 5, std430) coherent buffer partial_block { float partial[]; };
layout(set = 0, binding = 6, std430) coherent buffer counter_block { uint counter[]; };
layout(push_constant) uniform PushConstants {
    uint heads;
    uint kvHeads;
    uint headDim;
    uint window;
    float scale;
    float softcap;
    uint posStride;
    uint headStride;
    uint scales;
} pc;
const uint TOKENS = 2u;
const uint BLOCK = 4u;
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
    memoryBarrierBuffer();
    barrier();
    if (lane == 0u) { lastSplit = atomicAdd(counter[gl_WorkGroupID.x], 1u) == splits - 1u; }
    barrier();
    if (lastSplit) {
        memoryBarrierBuffer();
        uint base = h * splits * stride;
        float mAll = -1.0e30;
        for (uint k = 0u; k < splits; k++) { mAll = max(mAll, partial[base + k * stride]); }
        float lAll = 0.0;
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
