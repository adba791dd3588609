#version 450
#define KV_F16 0
#define KV_Q8 1
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(set = 0, binding = 0, std430) readonly buffer ctl_block { uint ctl[]; };
layout(set = 0, binding = 1, std430) readonly buffer k_block { float k[]; };
layout(set = 0, binding = 2, std430) readonly buffer v_block { float v[]; };
layout(set = 0, binding = 3, std430) writeonly buffer kc_block { uint kc[]; };
layout(set = 0, binding = 4, std430) writeonly buffer vc_block { uint vc[]; };
layout(push_constant) uniform PushConstants {
    uint rowSize;
    uint capacity;
    uint headDim;
    uint posStride;
    uint headStride;
    uint scales;
} pc;
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
const uint PER = 32u;
#else
const uint PER = KV_F16 != 0 ? 2u : 1u;
#endif

void main() {
    uint i = gl_GlobalInvocationID.x * PER;
    uint t = i / pc.rowSize;
    if (t >= ctl[1]) { return; }
    uint position = ctl[0] + t;
    if (position >= pc.capacity) { return; }
    uint e = i % pc.rowSize;
    uint dst = position * pc.posStride + (e / pc.headDim) * pc.headStride + e % pc.headDim;
#if KV_Q8
    float xk[32], xv[32];
    for (uint j = 0u; j < 32u; j++) { xk[j] = k[i + j]; xv[j] = v[i + j]; }
    uint words[8];
    kc[pc.scales + dst / 32u] = floatBitsToUint(q8Block(xk, words));
    for (uint j = 0u; j < 8u; j++) { kc[dst / 4u + j] = words[j]; }
    vc[pc.scales + dst / 32u] = floatBitsToUint(q8Block(xv, words));
    for (uint j = 0u; j < 8u; j++) { vc[dst / 4u + j] = words[j]; }
#elif KV_F16
    kc[dst >> 1u] = packHalf2x16(vec2(k[i], k[i + 1u]));
    vc[dst >> 1u] = packHalf2x16(vec2(v[i], v[i + 1u]));
#else
    kc[dst] = k[i];
    vc[dst] = v[i];
#endif
}
