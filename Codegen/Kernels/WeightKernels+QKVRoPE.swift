import SmeltIR

/// The decode kernel of a whole attention input: Q/K/V projections, head
/// norms, RoPE and the cache write in one dispatch.
extension WeightKernels {
    /// Rows per invocation of `qkvRoPESpec` for heads of `headDim`: a
    /// 64-wide workgroup computes exactly one head, so headDim / 64, nil
    /// when that is not 1, 2 or 4.
    public static func qkvRoPERowsPerInvocation(headDim: Int) -> Int? {
        headDim % 64 == 0 && [1, 2, 4].contains(headDim / 64) ? headDim / 64 : nil
    }

    /// y = W x over the Q, K and V matrices stored as one (`rows` =
    /// (qHeads + 2 · kvHeads) · headDim, in that order), workgroup h
    /// computing rows h · headDim ..< (h + 1) · headDim, one head; then the
    /// same workgroup runs `headRow` (HeadRow.swift) on its head as
    /// `qk_norm_rope` does: query heads to qo, key heads to the key cache,
    /// value heads to the value cache. A head never leaves its workgroup,
    /// so nothing waits on another workgroup.
    ///
    /// Bindings 0–3 as the matvec (y coherent: the workgroup reads its rows
    /// back), then the q-norm weight (4), the k-norm weight (5; 4 and 5 any
    /// buffer when hasNorm = 0), rotated q out (6), key cache (7), value
    /// cache (8). Push constants rowOffset, rowCount and those of
    /// `KernelSpec.qkNormRoPE`. Dispatch qHeads + 2 · kvHeads workgroups.
    public static func qkvRoPESpec(dtype: DType, rows: Int, cols: Int, headDim: Int,
                                   element: KVCacheElement) throws -> KernelSpec {
        guard let rowsPer = qkvRoPERowsPerInvocation(headDim: headDim), rows % headDim == 0 else {
            throw PackingError("qkv_rope needs heads of 64, 128 or 256 rows and whole heads (rows \(rows), head \(headDim))")
        }
        var spec = try matvecSpec(dtype: dtype, rows: rows, cols: cols, workgroupSize: 64, rowsPerInvocation: rowsPer)
        spec.name = "qkv_rope" + spec.name.dropFirst("matvec".count) + (element == .f32 ? "" : element.kernelSuffix)
        spec.bindings[2].access = .coherent
        let head = KernelSpec.qkNormRoPE(element)
        spec.bindings += Array(head.bindings[4...])  // the same binding numbers
        spec.pushConstants += head.pushConstants
        let defines = element.parameters.sorted { $0.key < $1.key }.map { "#define \($0.key) \($0.value)" }
        spec.parameters["EXTRA"] = (defines + [
            "#define ctl control",
            "#define XQ(i) y[i]",
            "#define XK(i) y[pc.qHeads * pc.headDim + (i)]",
            "#define XV(i) y[(pc.qHeads + pc.kvHeads) * pc.headDim + (i)]",
        ]).joined(separator: "\n") + "\n" + headRowFunction + "\n\n"
        spec.parameters["EPILOGUE"] = "\n" + headEpilogue
        return spec
    }

    /// Workgroup h's rows of y are stored: read them back as its head.
    /// Workgroups past the query and key heads are value heads.
    private static let headEpilogue = """
        memoryBarrierBuffer();
        barrier();
        uint h = gl_WorkGroupID.x;
        uint heads = pc.qHeads + pc.kvHeads;
        headRow(h < heads ? h : h - pc.kvHeads, 0u, h < heads, h >= heads);
    """
}
