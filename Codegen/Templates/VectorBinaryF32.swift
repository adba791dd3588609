extension KernelTemplate {
    /// `c[i] = a[i] OP b[i]` over f32 vectors; the length is a push constant
    /// so one pipeline serves every length.
    public static let vectorBinaryF32 = KernelTemplate(name: "vector_binary_f32", source: """
        #version 450
        // c[i] = a[i] {{OPERATOR}} b[i] for i < pc.count.

        {{WORKGROUP_SIZE}}

        {{BINDINGS}}

        {{PUSH_CONSTANTS}}

        void main() {
            uint i = gl_GlobalInvocationID.x;
            if (i < pc.count) {
                c[i] = a[i] {{OPERATOR}} b[i];
            }
        }

        """)
}

extension KernelSpec {
    /// An element-wise f32 operator that `vector_binary_f32` can express.
    public enum BinaryOperator: String, Sendable, CaseIterable {
        case add = "+", subtract = "-", multiply = "*", divide = "/"

        var kernelSuffix: String {
            switch self {
            case .add: "add"
            case .subtract: "sub"
            case .multiply: "mul"
            case .divide: "div"
            }
        }
    }

    /// `c = a OP b` on f32 vectors: bindings a (0), b (1), c (2); push
    /// constant `count`; dispatch ⌈count / workgroupSize⌉ workgroups.
    public static func vectorBinaryF32(_ op: BinaryOperator, workgroupSize: Int = 64) -> KernelSpec {
        KernelSpec(
            name: "vector_\(op.kernelSuffix)_f32",
            template: KernelTemplate.vectorBinaryF32.name,
            workgroupSize: .init(workgroupSize),
            bindings: [
                .init(name: "a", binding: 0, access: .readOnly, elementType: "float"),
                .init(name: "b", binding: 1, access: .readOnly, elementType: "float"),
                .init(name: "c", binding: 2, access: .writeOnly, elementType: "float"),
            ],
            pushConstants: [.init(name: "count", type: .uint)],
            parameters: ["OPERATOR": op.rawValue]
        )
    }
}
