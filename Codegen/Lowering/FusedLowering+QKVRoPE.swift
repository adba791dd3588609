import SmeltArtifact
import SmeltIR

/// The per-head tail of an attention input in a fused region (reshape →
/// [rms_norm] → rope for Q and K, kv_write of K and V): what `qk_norm_rope`
/// and the `qkv_rope` epilogue read and push.
struct HeadOperands {
    var qRope: Op, kRope: Op, write: Op
    /// The projections' values (the reshapes' sources).
    var q: ValueID, k: ValueID, v: ValueID
    var wq: LoweredWeight?, wk: LoweredWeight?
    var qHeads: Int
    var cache: CacheLayout
    var rotary: Int
    var eps: Float

    /// Nil when the region is not that chain.
    init?(_ region: Region, in state: LoweringState) throws {
        let byResult = Dictionary(region.ops.flatMap { op in op.results.map { ($0, op) } }, uniquingKeysWith: { a, _ in a })
        guard let write = region.ops.first(where: { $0.kind == "kv_write" }),
              let kRope = byResult[write.operands[0]], kRope.kind == "rope",
              let qRope = region.ops.first(where: { $0.kind == "rope" && $0.result != kRope.result }),
              let cache = state.cacheShape[write.results[0]] else { return nil }
        // rope ← [rms_norm] ← reshape ← source
        func source(_ rope: Op) -> (value: ValueID, norm: Op?)? {
            var value = rope.operands[0]
            let norm = byResult[value].flatMap { $0.kind == "rms_norm" ? $0 : nil }
            if let norm { value = norm.operands[0] }
            guard let reshape = byResult[value], reshape.kind == "reshape" else { return nil }
            return (reshape.operands[0], norm)
        }
        guard let q = source(qRope), let k = source(kRope), (q.norm == nil) == (k.norm == nil) else { return nil }
        let qDims = state.graph.type(of: qRope.result).dims.compactMap(\.fixedValue)
        guard qDims.count == 2, qDims[1] == cache.headDim else { return nil }
        let rotary = qRope.attribute("dims")?.intValue ?? cache.headDim
        let eps = q.norm?.attribute("eps")?.doubleValue ?? 0
        guard eps == (k.norm?.attribute("eps")?.doubleValue ?? 0), rotary % 2 == 0, rotary <= cache.headDim else {
            return nil
        }
        self.qRope = qRope
        self.kRope = kRope
        self.write = write
        self.q = q.value
        self.k = k.value
        v = byResult[write.operands[1]].flatMap { $0.kind == "reshape" ? $0.operands[0] : nil } ?? write.operands[1]
        wq = try q.norm.map { try state.weight($0.operands[1], for: $0) }
        wk = try k.norm.map { try state.weight($0.operands[1], for: $0) }
        qHeads = qDims[0]
        self.cache = cache
        self.rotary = rotary
        self.eps = Float(eps)
    }

    /// The push constants of `KernelSpec.qkNormRoPE`.
    func push(capacity: Int) -> [UInt32] {
        [qHeads.word, cache.heads.word, cache.headDim.word, rotary.word,
         (qRope.attribute("neox")?.boolValue == true ? 1 : 0), Float(qRope.attribute("theta")?.doubleValue ?? 0).word,
         (wq == nil ? 0 : 1), eps.word, capacity.word] + cache.strideWords
    }
}

extension LoweringState {
    /// Q/K/V projections and their head tail: in decode one `qkv_rope`
    /// dispatch, a workgroup per head; where that kernel does not apply
    /// (and in prefill) the projections, then `qk_norm_rope`.
    mutating func emitQKVRoPE(_ op: Op, region: Region, tokens t: Int, label: String) throws -> Bool {
        guard let head = try HeadOperands(region, in: self) else { return false }
        if t == 1 {
            if let reason = try emitWholeQKVRoPE(op, head: head, label: label) {
                remarks.append("\(op.location): qkv_rope runs as its projections, then qk_norm_rope: \(reason)")
            } else {
                return true
            }
        }
        let grouped = t == 1 ? try emitGroupMatvec(op, kernel: "matvec_multi", region: region, label: label) : false
        if !grouped {
            for linear in region.ops where linear.kind == "linear" { try emit(linear, tokens: t) }
        }
        try emitQKNormRoPE(head, tokens: t, label: label)
        return true
    }

    /// The one-dispatch decode form; nil when emitted, else why not.
    private mutating func emitWholeQKVRoPE(_ op: Op, head: HeadOperands, label: String) throws -> String? {
        let linears = groupLinears(op)
        let headDim = head.cache.headDim
        guard linears.map(\.result) == [head.q, head.k, head.v] else {
            return "its projections are not Q, K and V in that order"
        }
        guard WeightKernels.qkvRoPERowsPerInvocation(headDim: headDim) != nil else {
            return "heads of \(headDim) are not 64, 128 or 256 rows, one 64-wide workgroup each"
        }
        guard let first = linears.first, let name = weightName(first.operands[1]), let group = weightGroups[name],
              let whole = groupWeights[group[0]], let layout = whole.layout, whole.windows.count == 1,
              let rows = decodeViews[first.result].map({ BufferSlice(buffer: $0.buffer, offset: 0, size: whole.rows * 4) })
        else { return "its matrices are not stored as one weight binding" }
        let spec = try WeightKernels.qkvRoPESpec(dtype: whole.dtype, rows: whole.rows, cols: whole.columns,
                                                 headDim: headDim, element: head.cache.element)
        let x = try view(first.operands[0], for: first, tokens: 1)
        let groups = WeightKernels.workgroupCounts(for: spec, rowCount: whole.rows)
        builder.dispatch(spec, bindings: [
            whole.windows[0].slice, x, rows, builder.whole(control),
            head.wq.map { builder.whole($0.buffer) } ?? x, head.wk.map { builder.whole($0.buffer) } ?? x,
            try view(head.qRope.result, for: head.qRope, tokens: 1),
            builder.whole(try buffer(head.write.results[0], for: head.write)),
            builder.whole(try buffer(head.write.results[1], for: head.write)),
        ], writes: [2, 6, 7, 8], push: [0, whole.rows.word] + head.push(capacity: options.contextLength),
        groups: [groups.0, groups.1, groups.2], label: label,
        bytesMoved: whole.rows * layout.rowStride + whole.columns * 4
            + (head.qHeads + 2 * head.cache.heads) * headDim * 8)
        return nil
    }
}
