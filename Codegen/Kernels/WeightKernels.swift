import SmeltIR

/// The weight templates, one per dtype with a kernel.
let weightKernelTemplates: [KernelTemplate] = [
    .weightF32, .weightF16, .weightQ8_0, .weightQ4_0, .weightQ5_0, .weightQ4_K, .weightQ5_K, .weightQ6_K,
]

/// Kernel specs for `y = W x` with a packed weight (`packWeight`), one
/// family per dtype and one binding contract for all of them:
///
/// | binding | buffer |
/// |---|---|
/// | 0 `w` | packed row records of this dispatch's rows (a window), a texel buffer |
/// | 1 `x` | f32 [T, cols] |
/// | 2 `y` | f32 [T, rows] (all rows of the matrix) |
/// | 3 `control` | u32 ControlBlock words; matmul reads `count` (word 1) |
///
/// Push constants `rowOffset, rowCount`: the window's first row within y and
/// its row count (0 and rows when the matrix is bound whole). Dispatch
/// `workgroupCounts(...)`. Specialization constants: ROWS (0, the y row
/// stride), COLS (1), ROW_WORDS (2, record stride in 16-byte words) and
/// S1–S3 (3–5, section offsets within a record in 16-byte words).
public enum WeightKernels {
    /// Decode (T = 1): `y[r] = dot(W[r, :], x)`; `accumulate` adds into y.
    /// `rowsPerInvocation` (1, 2 or 4; nil: `rowsPerInvocation(rows:)`):
    /// adjacent rows an invocation decodes before storing, sharing every
    /// read of x.
    public static func matvecSpec(dtype: DType, rows: Int, cols: Int, accumulate: Bool = false,
                                  workgroupSize: Int = 64, rowsPerInvocation: Int? = nil,
                                  packing: DevicePacking = .rowPerInvocation) throws -> KernelSpec {
        try spec(dtype: dtype, rows: rows, cols: cols, tile: 1, count: "1u", accumulate: accumulate,
                 workgroupSize: workgroupSize, kind: "matvec", rowsPerInvocation: rowsPerInvocation)
    }

    /// Rows per decode invocation for a matrix of `rows`: 4 for large ones
    /// (Gemma-3's output matrix: 28 → 20 ms on lavapipe), 2 from 512 rows,
    /// else 1, so a dispatch keeps enough workgroups for every thread.
    public static func rowsPerInvocation(rows: Int) -> Int { rows >= 4096 ? 4 : rows >= 512 ? 2 : 1 }

    /// Logits: `y[r] = dot(W[r, :], x[count - 1])`, the last token's row of
    /// x (ControlBlock.count) when `lastOfCount`, else of x's only row, with
    /// `softcap > 0` applying `softcap · tanh(y / softcap)`. Decode uses
    /// the single-row form: a constant x address is a broadcast load on
    /// lavapipe, one read from the control buffer makes it a per-lane loop
    /// (measured 5x slower on Gemma-3's output matrix).
    public static func logitsSpec(dtype: DType, rows: Int, cols: Int, softcap: Float = 0, lastOfCount: Bool,
                                  workgroupSize: Int = 64, rowsPerInvocation: Int? = nil) throws -> KernelSpec {
        var spec = try spec(dtype: dtype, rows: rows, cols: cols, tile: 1, count: "1u", accumulate: false,
                            workgroupSize: workgroupSize, kind: lastOfCount ? "logits_last" : "logits",
                            rowsPerInvocation: rowsPerInvocation)
        if lastOfCount { spec.parameters["XBASE"] = "(control[1] - 1u)" }
        return softcapped(spec, softcap)
    }

    /// Logits of every token of a chunk (teacher-forced scoring): the
    /// matmul of `matmulSpec` writing y = [count, rows], with the soft-cap
    /// of `logitsSpec`.
    public static func scoreSpec(dtype: DType, rows: Int, cols: Int, softcap: Float = 0,
                                 tokensPerInvocation: Int = 8) throws -> KernelSpec {
        var spec = try matmulSpec(dtype: dtype, rows: rows, cols: cols, tokensPerInvocation: tokensPerInvocation)
        spec.name = "score" + spec.name.dropFirst("matmul".count)
        return softcapped(spec, softcap)
    }

    private static func softcapped(_ spec: KernelSpec, _ softcap: Float) -> KernelSpec {
        guard softcap > 0 else { return spec }
        var spec = spec
        spec.name += "_cap\(softcap)"
        spec.parameters["POST"] = "v = tanh(v / \(softcap)) * \(softcap);"
        return spec
    }

    /// Prefill (T from ControlBlock.count): one dispatch per tile of
    /// `tokensPerInvocation` tokens (push constant `tile`), each invocation
    /// reading its weight row once for the tile. x is bound per dispatch as
    /// a uniform buffer holding the tile's rows (bytes
    /// `tile · TILE · cols · 4 ..< (tile + 1) · TILE · cols · 4`): its reads
    /// have the same address in every lane, which lavapipe turns into one
    /// load and a broadcast even inside a loop, where a storage-buffer read
    /// is a per-lane loop. Tiles past the count return at once and y rows
    /// past the count are not written.
    public static func matmulSpec(dtype: DType, rows: Int, cols: Int, tokensPerInvocation: Int = 8,
                                  accumulate: Bool = false, workgroupSize: Int = 64,
                                  packing: DevicePacking = .rowPerInvocation) throws -> KernelSpec {
        guard (1...64).contains(tokensPerInvocation) else {
            throw PackingError("tokensPerInvocation \(tokensPerInvocation) is outside 1...64")
        }
        var spec = try spec(dtype: dtype, rows: rows, cols: cols, tile: tokensPerInvocation, count: "control[1]",
                            accumulate: accumulate, workgroupSize: workgroupSize, kind: "matmul")
        spec.bindings[1] = .init(name: spec.bindings[1].name, binding: 1, kind: .uniform, access: .readOnly,
                                 elementType: "vec4[\(tokensPerInvocation * cols / 4)]")
        spec.pushConstants.append(.init(name: "tile", type: .uint))
        spec.parameters["T0"] = "pc.tile * TILE"
        spec.parameters["XBASE"] = "(0u - t0)"
        return spec
    }

    /// Decode of a gated feed-forward pair stored as one matrix (gate rows
    /// `0 ..< rows`, then up rows): `y[r] = act(gate_r · x) · (up_r · x)`,
    /// one invocation per r reading both rows. `activation` is `gelu_tanh`
    /// or `silu`, with the formulas of the elementwise kernel.
    public static func gatedMatvecSpec(dtype: DType, rows: Int, cols: Int, activation: String,
                                       workgroupSize: Int = 64) throws -> KernelSpec {
        let post: String
        switch activation {
        case "gelu_tanh":
            post = "float inner = clamp(0.7978845608028654 * (gateAcc + 0.044715 * gateAcc * gateAcc * gateAcc), "
                + "-15.0, 15.0); v = 0.5 * gateAcc * (1.0 + tanh(inner)) * v;"
        case "silu":
            post = "v = gateAcc / (1.0 + exp(-gateAcc)) * v;"
        default:
            throw PackingError("no gated kernel for activation '\(activation)' (gelu_tanh, silu)")
        }
        var spec = try spec(dtype: dtype, rows: rows, cols: cols, tile: 1, count: "1u", accumulate: false,
                            workgroupSize: workgroupSize, kind: "gated_\(activation)", rowsPerInvocation: 1)
        // Rows r and r + 1, each a gate row and an up row: all four decoded
        // before any store, so they share every read of x; row r is stored
        // here, row r + 1 by the skeleton's store.
        spec.parameters["PAIR"] = "2"
        spec.parameters["ROWS_PER"] = "2"
        spec.parameters["ROW_BODY"] = """
            decodeRow(wb); float gateAcc = acc[0]; acc[0] = 0.0;
                decodeRow(wb + ROWS * ROW_WORDS); float upAcc = acc[0]; acc[0] = 0.0;
                uint wb1 = min(r + 1u, max(pc.rowCount, 1u) - 1u) * ROW_WORDS;
                decodeRow(wb1); float gate1 = acc[0]; acc[0] = 0.0;
                decodeRow(wb1 + ROWS * ROW_WORDS);
                if (r < pc.rowCount) { float v = upAcc; \(post) y[pc.rowOffset + r] = v; }
                gateAcc = gate1;
                r += 1u;
            """
        spec.parameters["POST"] = post
        return spec
    }

    /// Decode of a projection and the residual row kernel after it, in one
    /// dispatch: the matvec of `matvecSpec` writes y = W x; the last
    /// workgroup to finish (counted by an atomic in `counter`, which it
    /// resets) then does what `residual_norm` does over the whole row:
    /// s = a + (hasPost ? y / rms(y) · gp : y), n = s / rms(s) · g. No
    /// workgroup waits for another, so this needs no co-residency. The
    /// matrix must be bound whole (one window: rowOffset 0, rowCount rows).
    ///
    /// Bindings 0–3 as the matvec (y coherent), then a (4), gp (5; any
    /// buffer when hasPost = 0), g (6), s (7), n (8), counter (9, one u32,
    /// zero between dispatches). Push constants rowOffset, rowCount,
    /// hasPost, epsPost, eps.
    public static func matvecResidualNormSpec(dtype: DType, rows: Int, cols: Int) throws -> KernelSpec {
        var spec = try spec(dtype: dtype, rows: rows, cols: cols, tile: 1, count: "1u", accumulate: false,
                            workgroupSize: 64, kind: "matvec_residual_norm")
        spec.bindings[2].access = .coherent
        spec.bindings += [
            .init(name: "a", binding: 4, access: .readOnly, elementType: "float"),
            .init(name: "gp", binding: 5, access: .readOnly, elementType: "float"),
            .init(name: "g", binding: 6, access: .readOnly, elementType: "float"),
            .init(name: "s", binding: 7, access: .readWrite, elementType: "float"),
            .init(name: "n", binding: 8, access: .writeOnly, elementType: "float"),
            .init(name: "counter", binding: 9, access: .coherent, elementType: "uint"),
        ]
        spec.pushConstants += [.init(name: "hasPost", type: .uint), .init(name: "epsPost", type: .float),
                               .init(name: "eps", type: .float)]
        spec.parameters["EXTRA"] = residualRowFunction + "\n\nshared bool lastGroup;\n\n"
        spec.parameters["EPILOGUE"] = "\n" + lastGroupResidualNorm
        return spec
    }

    /// Most bytes of x (TILE rows) a weight kernel copies into shared memory
    /// before its decode loop: Vulkan's guaranteed maxComputeSharedMemorySize.
    /// Larger x is read from its buffer. A staged kernel of up to
    /// `unrolledTileLimit` tokens unrolls its whole loop, so every read of x
    /// has a constant address, and has no early exit for tiles past the
    /// count (on lavapipe, loads after a `return` that depends on a buffer
    /// value run masked, as per-lane loops: 20x slower). A larger tile
    /// keeps the loop rolled, whose x reads from shared memory would have
    /// loop-dependent addresses (per-lane loops again): it reads the tile's
    /// uniform buffer instead.
    public static let stagedXBytes = 16384

    /// The most tokens per tile for which a staged kernel unrolls its loop:
    /// lavapipe's compile time grows with the unrolled body (4 tokens of a
    /// 640-column row compile in seconds, 8 took minutes).
    public static let unrolledTileLimit = 4

    /// Tokens per tile a prefill matmul over rows of `cols` should take,
    /// for a chunk of `chunk` tokens: the most of 4, 2, 1 that divides the
    /// chunk (tiles never pass the end of an activation buffer) and whose x
    /// rows are staged (Gemma-3 prefill matmuls per 64-token chunk: 8 tokens
    /// through a uniform buffer 2.6–3.0 s, 4 or 2 staged 0.95–1.1 s, on
    /// lavapipe); else the most of 8, 4, 2, 1 that divides it and fits
    /// `maxUniformBufferRange`; nil when no row fits.
    public static func prefillTile(chunk: Int, cols: Int, maxUniformBufferRange: Int) -> Int? {
        let fits = { (tile: Int) in chunk % tile == 0 && tile * cols * 4 <= maxUniformBufferRange }
        return [4, 2, 1].first { fits($0) && $0 * cols * 4 <= stagedXBytes } ?? [8, 4, 2, 1].first(where: fits)
    }

    /// Bytes of x one matmul dispatch binds (its tile's rows).
    public static func tileBytes(for spec: KernelSpec) -> Int {
        let tile = Int(spec.parameters["TILE"] ?? "1") ?? 1
        let cols = Int(spec.specializationConstants.first { $0.name == "COLS" }?.value.bitPattern ?? 0)
        return tile * cols * 4
    }

    /// Workgroups to dispatch for `rowCount` rows (one window); a matmul
    /// dispatches this once per tile.
    public static func workgroupCounts(for spec: KernelSpec, rowCount: Int) -> (Int, Int, Int) {
        let size = spec.workgroupSize.x * (spec.parameters["ROWS_PER"].flatMap { Int($0) } ?? 1)
        return ((rowCount + size - 1) / size, 1, 1)
    }

    /// Whether `spec` is a matmul: one dispatch per tile, each binding its
    /// tile's rows of x (`tileBytes`) and pushing `tile`.
    public static func bindsXTiles(_ spec: KernelSpec) -> Bool {
        spec.bindings.count > 1 && spec.bindings[1].kind == .uniform
    }

    /// Matmul dispatches (tiles) for up to `maxTokens` tokens.
    public static func tileCount(for spec: KernelSpec, maxTokens: Int) -> Int {
        let tile = Int(spec.parameters["TILE"] ?? "1") ?? 1
        return (max(maxTokens, 1) + tile - 1) / tile
    }

    private static func spec(dtype: DType, rows: Int, cols: Int, tile: Int, count: String, accumulate: Bool,
                             workgroupSize: Int, kind: String, rowsPerInvocation: Int? = nil) throws -> KernelSpec {
        let layout = try PackedLayout(dtype: dtype, cols: cols)
        let rowsPer = tile == 1 ? rowsPerInvocation ?? Self.rowsPerInvocation(rows: rows) : 1
        guard [1, 2, 4].contains(rowsPer) else {
            throw PackingError("rowsPerInvocation \(rowsPer) must be 1, 2 or 4")
        }
        guard rows > 0, rows <= Int(UInt32.max) else { throw PackingError("rows \(rows) must be in 1...\(UInt32.max)") }
        guard workgroupSize > 0 else { throw PackingError("workgroup size \(workgroupSize) must be positive") }
        let sections = layout.sectionWords + [0, 0, 0]
        let u = { (v: Int) in ScalarValue.uint(UInt32(v)) }
        let stage = tile <= unrolledTileLimit && tile * cols * 4 <= stagedXBytes
        let unrolled = tile == 1 || stage
        return KernelSpec(
            name: "\(kind)_\(dtype)_\(rows)x\(cols)" + (tile > 1 ? "_t\(tile)" : "") + (rowsPer > 1 ? "_r\(rowsPer)" : "")
                + (accumulate ? "_acc" : ""),
            template: "weight_\(dtype)",
            workgroupSize: .init(workgroupSize),
            bindings: [
                .init(name: "w", binding: 0, kind: .texel, access: .readOnly, elementType: "uvec4"),
                .init(name: stage ? "xin" : "x", binding: 1, access: .readOnly, elementType: "vec4"),
                .init(name: "y", binding: 2, access: accumulate ? .readWrite : .writeOnly, elementType: "float"),
                .init(name: "control", binding: 3, access: .readOnly, elementType: "uint"),
            ],
            specializationConstants: [
                .init(id: 0, name: "ROWS", value: u(rows)),
                .init(id: 1, name: "COLS", value: u(cols)),
                .init(id: 2, name: "ROW_WORDS", value: u(layout.rowStride / 16)),
                .init(id: 3, name: "S1", value: u(sections[0])),
                .init(id: 4, name: "S2", value: u(sections[1])),
                .init(id: 5, name: "S3", value: u(sections[2])),
            ],
            pushConstants: [.init(name: "rowOffset", type: .uint), .init(name: "rowCount", type: .uint)],
            parameters: ["ROW_BODY": "decodeRow(wb);", "TILE": "\(tile)", "STAGE_X": stage ? "1" : "0",
                         "PAIR": rowsPer > 1 ? "1" : "0", "ROWS_PER": "\(rowsPer)", "COUNT": count, "XBASE": "0u", "POST": "", "T0": "0u", "STORE": accumulate ? "+=" : "=",
                         "GUARD": unrolled ? "" : "if (t0 >= count) { return; }", "EXTRA": "", "EPILOGUE": "",
                         "OUTER": unrolled ? "[[unroll]]" : "[[dont_unroll]]"]
        )
    }
}
