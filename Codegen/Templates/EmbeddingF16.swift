extension KernelTemplate {
    /// `y[t] = table[tokens[t]]` for t < count, from f16 rows stored as
    /// pairs. One dispatch per row window of the table: ids outside
    /// `rowStart ..< rowStart + rowCount` belong to another window.
    public static let embeddingF16 = KernelTemplate(name: "embedding_f16", source: """
        #version 450
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}

        void main() {
            uint i = gl_GlobalInvocationID.x;
            uint pairs = pc.dim / 2u;
            uint t = i / pairs;
            uint c = i % pairs;
            if (t >= ctl[1]) { return; }
            int id = tokens[t];
            if (id < int(pc.rowStart) || id >= int(pc.rowStart + pc.rowCount)) { return; }
            vec2 v = unpackHalf2x16(table[(uint(id) - pc.rowStart) * pairs + c]);
            y[t * pc.dim + 2u * c] = v.x;
            y[t * pc.dim + 2u * c + 1u] = v.y;
        }

        """)
}

extension KernelSpec {
    /// Bindings ctl (0), tokens (1), table (2, f16 pairs), y (3);
    /// dispatch ⌈tokens · dim / 2 / 64⌉ workgroups.
    public static let embeddingF16 = KernelSpec(
        name: "embedding_f16", template: KernelTemplate.embeddingF16.name, workgroupSize: .init(64),
        bindings: [
            .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
            .init(name: "tokens", binding: 1, access: .readOnly, elementType: "int"),
            .init(name: "table", binding: 2, access: .readOnly, elementType: "uint"),
            .init(name: "y", binding: 3, access: .writeOnly, elementType: "float"),
        ],
        pushConstants: [
            .init(name: "dim", type: .uint), .init(name: "rowStart", type: .uint), .init(name: "rowCount", type: .uint),
        ])
}
