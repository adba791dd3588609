#version 450
// y[row] = sum over k of w[row * COLS + k] * x[k], one invocation per row.

layout(local_size_x = 32, local_size_y = 1, local_size_z = 1) in;

layout(constant_id = 0) const uint ROWS = 1u;
layout(constant_id = 1) const uint COLS = 1u;

layout(set = 0, binding = 0, std430) readonly buffer w_block { float w[]; };
layout(set = 0, binding = 1, std430) readonly buffer x_block { float x[]; };
layout(set = 0, binding = 2, std430) writeonly buffer y_block { float y[]; };

void main() {
    uint row = gl_GlobalInvocationID.x;
    if (row >= ROWS) {
        return;
    }
    uint base = row * COLS;
    float acc = 0.0;
    for (uint k = 0u; k < COLS; ++k) {
        acc += w[base + k] * x[k];
    }
    y[row] = acc;
}
