/// The epilogue of `matvec_residual_norm` (WeightKernels.matvecResidualNormSpec):
/// after every workgroup has stored its rows of y, it counts itself in
/// `counter`; the last one reduces the whole row as `residual_norm` does
/// and resets the counter for the next replay. The barriers are in
/// workgroup-uniform control flow (`lastGroup` is shared).
let lastGroupResidualNorm = """
    memoryBarrierBuffer();
    barrier();
    if (gl_LocalInvocationIndex == 0u) {
        lastGroup = atomicAdd(counter[0], 1u) == gl_NumWorkGroups.x - 1u;
    }
    barrier();
    if (lastGroup) {
        memoryBarrierBuffer();
        uint tid = gl_LocalInvocationIndex;
        float inv = 1.0;
        if (pc.hasPost != 0u) {
            float q = 0.0;
            for (uint i = tid; i < ROWS; i += 64u) { float v = y[i]; q += v * v; }
            inv = inversesqrt(total(q) / float(ROWS) + pc.epsPost);
        }
        float q = 0.0;
        for (uint i = tid; i < ROWS; i += 64u) {
            float v = a[i] + (pc.hasPost != 0u ? y[i] * inv * gp[i] : y[i]);
            s[i] = v;
            q += v * v;
        }
        float invS = inversesqrt(total(q) / float(ROWS) + pc.eps);
        for (uint i = tid; i < ROWS; i += 64u) { n[i] = s[i] * invS * g[i]; }
        if (tid == 0u) { counter[0] = 0u; }
    }
"""
