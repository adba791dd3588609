extension KernelTemplate {
    /// `y = W x` for a row-major f32 `W` of ROWS × COLS, one invocation per
    /// output row: on lavapipe one row per lane beats a subgroup per row, and
    /// a constant COLS lets the compiler unroll the loop (see PERF_NOTES).
    public static let matvecF32 = KernelTemplate(name: "matvec_f32", source: """
        #version 450
        // y[row] = sum over k of w[row * COLS + k] * x[k], one invocation per row.

        {{WORKGROUP_SIZE}}

        {{SPECIALIZATION_CONSTANTS}}

        {{BINDINGS}}

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

        """)
}

extension KernelSpec {
    /// `y = W x` with `W` f32 [rows, cols] (PyTorch's [out, in]): bindings
    /// w (0), x (1), y (2); ROWS and COLS are specialization constants 0 and
    /// 1; dispatch ⌈rows / workgroupSize⌉ workgroups.
    public static func matvecF32(rows: Int, cols: Int, workgroupSize: Int = 64) -> KernelSpec {
        KernelSpec(
            name: "matvec_f32_\(rows)x\(cols)",
            template: KernelTemplate.matvecF32.name,
            workgroupSize: .init(workgroupSize),
            bindings: [
                .init(name: "w", binding: 0, access: .readOnly, elementType: "float"),
                .init(name: "x", binding: 1, access: .readOnly, elementType: "float"),
                .init(name: "y", binding: 2, access: .writeOnly, elementType: "float"),
            ],
            specializationConstants: [
                .init(id: 0, name: "ROWS", value: .uint(UInt32(clamping: rows))),
                .init(id: 1, name: "COLS", value: .uint(UInt32(clamping: cols))),
            ]
        )
    }
}
