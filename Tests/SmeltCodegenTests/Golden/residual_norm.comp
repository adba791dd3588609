#version 450
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(set = 0, binding = 0, std430) readonly buffer ctl_block { uint ctl[]; };
layout(set = 0, binding = 1, std430) readonly buffer a_block { float a[]; };
layout(set = 0, binding = 2, std430) readonly buffer y_block { float y[]; };
layout(set = 0, binding = 3, std430) readonly buffer gp_block { float gp[]; };
layout(set = 0, binding = 4, std430) readonly buffer g_block { float g[]; };
layout(set = 0, binding = 5, std430) buffer s_block { float s[]; };
layout(set = 0, binding = 6, std430) writeonly buffer n_block { float n[]; };
layout(push_constant) uniform PushConstants {
    uint dim;
    uint hasPost;
    float epsPost;
    float eps;
} pc;
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

void main() {
    uint t = gl_WorkGroupID.x;
    if (t >= ctl[1]) { return; }
    residualRow(t * pc.dim, pc.dim);
}
