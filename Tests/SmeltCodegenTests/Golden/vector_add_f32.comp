#version 450
// c[i] = a[i] + b[i] for i < pc.count.

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(set = 0, binding = 0, std430) readonly buffer a_block { float a[]; };
layout(set = 0, binding = 1, std430) readonly buffer b_block { float b[]; };
layout(set = 0, binding = 2, std430) writeonly buffer c_block { float c[]; };

layout(push_constant) uniform PushConstants {
    uint count;
} pc;

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i < pc.count) {
        c[i] = a[i] + b[i];
    }
}
