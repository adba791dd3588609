extension KernelTemplate {
    /// Element-wise ops over count · perToken values, the op chosen by a
    /// push constant so one pipeline serves them all:
    /// 0 add, 1 mul, 2 scale (a · factor), 3 gelu_tanh(a), 4 silu(a).
    public static let elementwiseF32 = KernelTemplate(name: "elementwise_f32", source: """
        #version 450
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}

        void main() {
            uint i = gl_GlobalInvocationID.x;
            if (i >= ctl[1] * pc.perToken) { return; }
            float v = a[i];
            float r;
            if (pc.op == 0u) {
                r = v + b[i];
            } else if (pc.op == 1u) {
                r = v * b[i];
            } else if (pc.op == 2u) {
                r = v * pc.factor;
            } else if (pc.op == 3u) {
                // tanh saturates long before 15; clamping keeps exp() finite.
                float inner = clamp(0.7978845608028654 * (v + 0.044715 * v * v * v), -15.0, 15.0);
                r = 0.5 * v * (1.0 + tanh(inner));
            } else {
                r = v / (1.0 + exp(-v));
            }
            c[i] = r;
        }

        """)
}

extension KernelSpec {
    /// Element-wise op codes of `elementwise_f32`.
    public enum ElementwiseOp: UInt32, Sendable {
        case add = 0, mul, scale, geluTanh, silu
    }

    /// Bindings ctl (0), a (1), b (2; a again for unary ops), c (3);
    /// dispatch ⌈tokens · perToken / 64⌉ workgroups.
    public static let elementwiseF32 = KernelSpec(
        name: "elementwise_f32", template: KernelTemplate.elementwiseF32.name, workgroupSize: .init(64),
        bindings: [
            .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
            .init(name: "a", binding: 1, access: .readOnly, elementType: "float"),
            .init(name: "b", binding: 2, access: .readOnly, elementType: "float"),
            .init(name: "c", binding: 3, access: .writeOnly, elementType: "float"),
        ],
        pushConstants: [
            .init(name: "perToken", type: .uint), .init(name: "op", type: .uint), .init(name: "factor", type: .float),
        ])
}
