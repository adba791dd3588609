import SmeltIR

extension KernelTemplate {
    /// `y[t] = table[tokens[t]]` for t < count, reading packed row records
    /// (`PackedLayout`) through a texel buffer: each invocation writes the
    /// PER values one texel of the row holds. One dispatch per row window of
    /// the table: ids outside `rowStart ..< rowStart + rowCount` belong to
    /// another window. `DECODE` writes `y[o ..< o + PER]` from texel `c` of
    /// the row at texel `base`.
    public static let embeddingPacked = KernelTemplate(name: "embedding_packed", source: """
        #version 450
        #extension GL_EXT_control_flow_attributes : require
        #extension GL_EXT_samplerless_texture_functions : require
        {{WORKGROUP_SIZE}}
        {{SPECIALIZATION_CONSTANTS}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}

        const uint PER = {{PER}}u;

        void main() {
            uint i = gl_GlobalInvocationID.x;
            uint groups = COLS / PER;
            uint t = i / groups;
            uint c = i % groups;
            if (t >= ctl[1]) { return; }
            int id = tokens[t];
            if (id < int(pc.rowStart) || id >= int(pc.rowStart + pc.rowCount)) { return; }
            int base = int((uint(id) - pc.rowStart) * ROW_WORDS);
            uint o = t * COLS + c * PER;
            uvec4 v = texelFetch(table, base + int(c));
        {{DECODE}}
        }

        """)
}

extension KernelSpec {
    /// The embedding dtypes with a kernel; other tables are packed as f32
    /// for the lookup.
    public static let embeddingDTypes: [DType] = [.f32, .f16, .q8_0]

    /// Bindings ctl (0), tokens (1), table (2, texel buffer of packed rows),
    /// y (3); push rowStart, rowCount; dispatch `embeddingGroups`.
    public static func embedding(dtype: DType, cols: Int) throws -> KernelSpec {
        let layout = try PackedLayout(dtype: dtype, cols: cols)
        let (per, decode): (Int, String) = switch dtype {
        case .f32: (4, "    [[unroll]] for (uint k = 0u; k < 4u; ++k) { y[o + k] = uintBitsToFloat(v[k]); }")
        case .f16: (8, """
                [[unroll]] for (uint k = 0u; k < 4u; ++k) {
                    vec2 h = unpackHalf2x16(v[k]);
                    y[o + 2u * k] = h.x;
                    y[o + 2u * k + 1u] = h.y;
                }
            """)
        case .q8_0: (16, """
                uint b = c / 2u;
                uvec4 dv = texelFetch(table, base + int(S1 + b / 8u));
                float d = unpackHalf2x16(dv[(b % 8u) / 2u])[b % 2u];
                [[unroll]] for (uint k = 0u; k < 16u; ++k) {
                    y[o + k] = d * float(int(v[k / 4u] << (24u - 8u * (k % 4u))) >> 24);
                }
            """)
        default: throw CodegenError.invalidSpec(kernel: "embedding",
                                                "no embedding kernel reads \(dtype) rows (\(embeddingDTypes) have one)")
        }
        let u = { (v: Int) in ScalarValue.uint(UInt32(v)) }
        return KernelSpec(
            name: "embedding_\(dtype)_\(cols)", template: KernelTemplate.embeddingPacked.name, workgroupSize: .init(64),
            bindings: [
                .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
                .init(name: "tokens", binding: 1, access: .readOnly, elementType: "int"),
                .init(name: "table", binding: 2, kind: .texel, access: .readOnly, elementType: "uvec4"),
                .init(name: "y", binding: 3, access: .writeOnly, elementType: "float"),
            ],
            specializationConstants: [
                .init(id: 0, name: "COLS", value: u(cols)),
                .init(id: 1, name: "ROW_WORDS", value: u(layout.rowStride / 16)),
                .init(id: 2, name: "S1", value: u(layout.sectionWords.first ?? 0)),
            ],
            pushConstants: [.init(name: "rowStart", type: .uint), .init(name: "rowCount", type: .uint)],
            parameters: ["PER": "\(per)", "DECODE": decode])
    }

    /// Workgroups for `tokens` rows of an embedding spec.
    public static func embeddingGroups(_ spec: KernelSpec, tokens: Int) -> Int {
        let cols = Int(spec.specializationConstants.first { $0.name == "COLS" }?.value.bitPattern ?? 0)
        let per = Int(spec.parameters["PER"] ?? "1") ?? 1
        return max(1, (tokens * cols / per + spec.workgroupSize.x - 1) / spec.workgroupSize.x)
    }
}
