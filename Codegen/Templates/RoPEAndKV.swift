extension KernelTemplate {
    /// Rotary embedding at positions `ctl.position + t`, one invocation per
    /// pair; NEOX pairs (i, i + rotary/2), normal pairs (2i, 2i + 1); dims
    /// past `rotary` are copied.
    public static let ropeF32 = KernelTemplate(name: "rope_f32", source: """
        #version 450
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}

        void main() {
            uint i = gl_GlobalInvocationID.x;
            uint pairsPerHead = pc.headDim / 2u;
            uint pair = i % pairsPerHead;
            uint row = i / pairsPerHead;
            uint t = row / pc.heads;
            if (t >= ctl[1]) { return; }
            uint base = row * pc.headDim;
            uint rotaryHalf = pc.rotary / 2u;
            if (pair < rotaryHalf) {
                float inverseFrequency = exp2(-2.0 * float(pair) / float(pc.rotary) * log2(pc.theta));
                float angle = float(ctl[0] + t) * inverseFrequency;
                // Reduce to [0, 2π) first: sin/cos of large arguments lose accuracy.
                angle -= 6.283185307179586 * floor(angle / 6.283185307179586);
                float cs = cos(angle), sn = sin(angle);
                uint ia = pc.neox != 0u ? base + pair : base + 2u * pair;
                uint ib = pc.neox != 0u ? base + pair + rotaryHalf : base + 2u * pair + 1u;
                float a = x[ia], b = x[ib];
                y[ia] = a * cs - b * sn;
                y[ib] = a * sn + b * cs;
            } else {
                uint ia = base + pc.rotary + 2u * (pair - rotaryHalf);
                y[ia] = x[ia];
                y[ia + 1u] = x[ia + 1u];
            }
        }

        """)

    /// Copies this step's K and V rows into the caches at `ctl.position + t`:
    /// element (head, d) of a position goes to `position · posStride +
    /// head · headStride + d` (token-major: posStride = kvHeads · headDim,
    /// headStride = headDim; head-major: posStride = headDim, headStride =
    /// capacity · headDim). With KV_F16 each invocation packs two adjacent
    /// elements into one u32 word of f16 halves.
    public static let kvWrite = KernelTemplate(name: "kv_write", source: """
        #version 450
        #define KV_F16 {{KV_F16}}
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}

        void main() {
            uint i = gl_GlobalInvocationID.x * (KV_F16 != 0 ? 2u : 1u);
            uint t = i / pc.rowSize;
            if (t >= ctl[1]) { return; }
            uint position = ctl[0] + t;
            if (position >= pc.capacity) { return; }
            uint e = i % pc.rowSize;
            uint dst = position * pc.posStride + (e / pc.headDim) * pc.headStride + e % pc.headDim;
        #if KV_F16
            kc[dst >> 1u] = packHalf2x16(vec2(k[i], k[i + 1u]));
            vc[dst >> 1u] = packHalf2x16(vec2(v[i], v[i + 1u]));
        #else
            kc[dst] = k[i];
            vc[dst] = v[i];
        #endif
        }

        """)
}

extension KernelSpec {
    /// Bindings ctl (0), x (1), y (2); dispatch ⌈tokens · heads · headDim / 2 / 64⌉.
    public static let ropeF32 = KernelSpec(
        name: "rope_f32", template: KernelTemplate.ropeF32.name, workgroupSize: .init(64),
        bindings: [
            .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
            .init(name: "x", binding: 1, access: .readOnly, elementType: "float"),
            .init(name: "y", binding: 2, access: .writeOnly, elementType: "float"),
        ],
        pushConstants: [
            .init(name: "heads", type: .uint), .init(name: "headDim", type: .uint), .init(name: "rotary", type: .uint),
            .init(name: "neox", type: .uint), .init(name: "theta", type: .float),
        ])

    /// Bindings ctl (0), k (1), v (2), k cache (3), v cache (4); push
    /// rowSize, capacity, headDim, posStride, headStride (elements); dispatch
    /// ⌈tokens · rowSize / 64⌉ workgroups (f16: half as many; rowSize and
    /// headDim even).
    public static func kvWrite(f16: Bool) -> KernelSpec {
        KernelSpec(
            name: f16 ? "kv_write_f16" : "kv_write_f32", template: KernelTemplate.kvWrite.name, workgroupSize: .init(64),
            bindings: [
                .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
                .init(name: "k", binding: 1, access: .readOnly, elementType: "float"),
                .init(name: "v", binding: 2, access: .readOnly, elementType: "float"),
                .init(name: "kc", binding: 3, access: .writeOnly, elementType: f16 ? "uint" : "float"),
                .init(name: "vc", binding: 4, access: .writeOnly, elementType: f16 ? "uint" : "float"),
            ],
            pushConstants: [
                .init(name: "rowSize", type: .uint), .init(name: "capacity", type: .uint),
                .init(name: "headDim", type: .uint), .init(name: "posStride", type: .uint),
                .init(name: "headStride", type: .uint),
            ],
            parameters: ["KV_F16": f16 ? "1" : "0"])
    }
}
