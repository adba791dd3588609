/// The epilogue of `matvec_residual_norm` (WeightKernels.matvecResidualNormSpec):
/// after every workgroup has stored its rows of y, it counts itself in
/// `counter`; the last one runs `residualRow` (FusedRowKernels) over the whole row
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
        residualRow(0u, ROWS);
        if (gl_LocalInvocationIndex == 0u) { counter[0] = 0u; }
    }
"""
