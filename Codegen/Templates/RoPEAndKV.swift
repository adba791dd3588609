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
    /// elements into one u32 word of f16 halves; with KV_Q8 it quantizes a
    /// block of 32 (see `KVCacheElement`).
    public static let kvWrite = KernelTemplate(name: "kv_write", source: """
        #version 450
        #define KV_F16 {{KV_F16}}
        #define KV_Q8 {{KV_Q8}}
        {{WORKGROUP_SIZE}}
        {{BINDINGS}}
        {{PUSH_CONSTANTS}}
        #if KV_Q8
        \(q8CacheFunctions)
        const uint PER = 32u;
        #else
        const uint PER = KV_F16 != 0 ? 2u : 1u;
        #endif

        void main() {
            uint i = gl_GlobalInvocationID.x * PER;
            uint t = i / pc.rowSize;
            if (t >= ctl[1]) { return; }
            uint position = ctl[0] + t;
            if (position >= pc.capacity) { return; }
            uint e = i % pc.rowSize;
            uint dst = position * pc.posStride + (e / pc.headDim) * pc.headStride + e % pc.headDim;
        #if KV_Q8
            float xk[32], xv[32];
            for (uint j = 0u; j < 32u; j++) { xk[j] = k[i + j]; xv[j] = v[i + j]; }
            uint words[8];
            kc[pc.scales + dst / 32u] = floatBitsToUint(q8Block(xk, words));
            for (uint j = 0u; j < 8u; j++) { kc[dst / 4u + j] = words[j]; }
            vc[pc.scales + dst / 32u] = floatBitsToUint(q8Block(xv, words));
            for (uint j = 0u; j < 8u; j++) { vc[dst / 4u + j] = words[j]; }
        #elif KV_F16
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
    /// rowSize, capacity, headDim, posStride, headStride (elements), scales
    /// (the q8_0 scales' first word); dispatch ⌈tokens · rowSize / (64 ·
    /// per)⌉ workgroups, an invocation writing `per` elements (f32 1, f16 2,
    /// q8_0 32; headDim a multiple of it).
    public static func kvWrite(_ element: KVCacheElement) -> KernelSpec {
        KernelSpec(
            name: "kv_write_\(element.rawValue)", template: KernelTemplate.kvWrite.name, workgroupSize: .init(64),
            bindings: [
                .init(name: "ctl", binding: 0, access: .readOnly, elementType: "uint"),
                .init(name: "k", binding: 1, access: .readOnly, elementType: "float"),
                .init(name: "v", binding: 2, access: .readOnly, elementType: "float"),
                .init(name: "kc", binding: 3, access: .writeOnly, elementType: element.storedType),
                .init(name: "vc", binding: 4, access: .writeOnly, elementType: element.storedType),
            ],
            pushConstants: [
                .init(name: "rowSize", type: .uint), .init(name: "capacity", type: .uint),
                .init(name: "headDim", type: .uint), .init(name: "posStride", type: .uint),
                .init(name: "headStride", type: .uint), .init(name: "scales", type: .uint),
            ],
            parameters: element.parameters)
    }

    /// Elements one kv_write invocation stores.
    public static func kvWriteElementsPerInvocation(_ element: KVCacheElement) -> Int {
        switch element {
        case .f32: 1
        case .f16: 2
        case .q8_0: 32
        }
    }
}
