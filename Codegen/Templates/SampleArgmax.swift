extension KernelTemplate {
    /// Greedy sampling on the device: the first index of the largest logit
    /// (NaNs never win), written to tokens[0] and output[position + count];
    /// then the step protocol advances: position += count, count = 1.
    public static let sampleArgmax = KernelTemplate(name: "sample_argmax", source: """
        #version 450
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}
        shared float bestValue[64];
        shared uint bestIndex[64];

        void main() {
            uint tid = gl_LocalInvocationID.x;
            float best = uintBitsToFloat(0xff800000u);
            uint index = 0xffffffffu;
            for (uint i = tid; i < pc.vocab; i += 64u) {
                float v = logits[i];
                if (v > best || (index == 0xffffffffu && !isnan(v))) { best = v; index = i; }
            }
            bestValue[tid] = best;
            bestIndex[tid] = index;
            barrier();
            for (uint stride = 32u; stride > 0u; stride >>= 1u) {
                if (tid < stride) {
                    float v = bestValue[tid + stride];
                    uint j = bestIndex[tid + stride];
                    bool better = j != 0xffffffffu && (bestIndex[tid] == 0xffffffffu || v > bestValue[tid]
                        || (v == bestValue[tid] && j < bestIndex[tid]));
                    if (better) { bestValue[tid] = v; bestIndex[tid] = j; }
                }
                barrier();
            }
            if (tid == 0u) {
                int token = bestIndex[0] == 0xffffffffu ? 0 : int(bestIndex[0]);
                uint next = ctl[0] + ctl[1];
                tokens[0] = token;
                if (next < pc.capacity) { outputIDs[next] = token; }
                ctl[0] = next;
                ctl[1] = 1u;
            }
        }

        """)
}

extension KernelSpec {
    /// Bindings ctl (0, read-write), logits (1), tokens (2), output (3);
    /// dispatch 1 workgroup.
    public static let sampleArgmax = KernelSpec(
        name: "sample_argmax", template: KernelTemplate.sampleArgmax.name, workgroupSize: .init(64),
        bindings: [
            .init(name: "ctl", binding: 0, access: .readWrite, elementType: "uint"),
            .init(name: "logits", binding: 1, access: .readOnly, elementType: "float"),
            .init(name: "tokens", binding: 2, access: .writeOnly, elementType: "int"),
            .init(name: "outputIDs", binding: 3, access: .writeOnly, elementType: "int"),
        ],
        pushConstants: [.init(name: "vocab", type: .uint), .init(name: "capacity", type: .uint)])
}

extension KernelTemplateLibrary {
    /// Every template the lowering uses.
    public static let runtime = KernelTemplateLibrary([
        .vectorBinaryF32, .matvecF32, .embeddingPacked, .rmsNormF32, .elementwiseF32, .ropeF32,
        .kvWriteF32, .attentionF32, .sampleArgmax,
    ] + weightKernelTemplates + fusedKernelTemplates)
}
