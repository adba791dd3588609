import SmeltArtifact
import SmeltIR
import SmeltModels

/// Lowering of `fused` ops (the fusion passes' regions) to their kernels.
/// A fused op whose kernel cannot be used here (its weights do not fit one
/// binding, a prefill list for a decode-only kernel) runs its members one
/// by one, and the reason is kept in `remarks`.
extension LoweringState {
    /// The member linears of a weight-reading fused op, in storage order
    /// (for a gated op: gate, then up).
    func groupLinears(_ op: Op) -> [Op] {
        guard let region = op.region else { return [] }
        let linears = region.ops.filter { $0.kind == "linear" }
        guard op.attributes["kernel"]?.stringValue == "gated_matvec",
              let act = region.ops.first(where: { ["gelu_tanh", "silu"].contains($0.kind) }) else { return linears }
        return linears.sorted { a, _ in a.result == act.operands[0] }
    }

    func weightName(_ value: ValueID) -> String? {
        graph.ops.first { $0.kind == "weight" && $0.result == value }?.attributes["name"]?.stringValue
    }

    /// Decides which weight matrices are stored as one (before any is packed).
    mutating func planWeightGroups() throws {
        for op in graph.ops where op.kind == "fused" {
            guard let kernel = op.attributes["kernel"]?.stringValue, ["matvec_multi", "gated_matvec", "qkv_rope"].contains(kernel)
            else { continue }
            let names = groupLinears(op).compactMap { $0.operands.count == 2 ? weightName($0.operands[1]) : nil }
            guard names.count >= 2, names.allSatisfy({ weightGroups[$0] == nil }) else {
                remark(op, "its weights are not exactly one projection each, or are shared with another fused kernel")
                continue
            }
            let tensors = try names.map { try store.tensor(named: $0) }
            guard Set(tensors.map(\.dtype)).count == 1, Set(tensors.map(\.rowLength)).count == 1,
                  let layout = try? PackedLayout(dtype: tensors[0].dtype, cols: tensors[0].rowLength) else {
                remark(op, "its matrices differ in format or row length, or the format has no kernel")
                continue
            }
            let rows = tensors.map(\.rowCount)
            let offsets = rows.indices.map { rows[..<$0].reduce(0, +) }
            guard rows.reduce(0, +) * layout.rowStride <= packer.maxRange else {
                remark(op, "its matrices together exceed one \(packer.maxRange)-byte weight binding")
                continue
            }
            // Each member is bound on its own by the per-op prefill, and a
            // fused matvec's outputs are bound per projection.
            guard offsets.allSatisfy({ $0 * layout.rowStride % packer.offsetAlignment == 0
                                       && (kernel == "gated_matvec" || $0 * 4 % Self.viewAlignment == 0) }) else {
                remark(op, "a member's rows do not start at a \(Self.viewAlignment)-byte boundary")
                continue
            }
            for name in names { weightGroups[name] = names }
        }
    }

    /// Storage-buffer offsets of decode views are multiples of this
    /// (Vulkan's largest minStorageBufferOffsetAlignment).
    static let viewAlignment = 256

    mutating func remark(_ op: Op, _ reason: String) {
        remarks.append("\(op.location): \(op.attributes["kernel"]?.stringValue ?? op.kind) runs op by op: \(reason)")
    }

    /// Packs the weight `name`, with the rest of its group if it has one.
    mutating func packWeight(named name: String) throws {
        guard let names = weightGroups[name] else {
            weightsByName[name] = try packer.pack(try store.tensor(named: name), into: &builder)
            return
        }
        let packed = try packer.packGroup(try names.map { try store.tensor(named: $0) }, into: &builder)
        for (member, weight) in zip(names, packed.members) { weightsByName[member] = weight }
        groupWeights[names[0]] = packed.whole
    }

    /// Decode buffers a fused op writes instead of its members' own.
    mutating func allocateFusedOutputs(_ op: Op) throws {
        guard ["matvec_multi", "qkv_rope"].contains(op.attributes["kernel"]?.stringValue), let region = op.region
        else { return }
        let linears = groupLinears(op)
        guard let first = linears.first, first.operands.count == 2, let name = weightName(first.operands[1]),
              let group = weightGroups[name], let whole = groupWeights[group[0]] else { return }
        let buffer = builder.addBuffer(PlannedBuffer(name: graph.name(of: op.result) + ".rows", role: .activation,
                                                     byteSize: whole.rows * 4))
        var offset = 0
        for linear in linears {
            let rows = try perToken(linear.result)
            let slice = BufferSlice(buffer: buffer, offset: offset * 4, size: rows * 4)
            decodeViews[linear.result] = slice
            for (result, yielded) in zip(op.results, region.yields) where yielded == linear.result {
                decodeViews[result] = slice
            }
            offset += rows
        }
    }

    mutating func emitFused(_ op: Op, tokens t: Int) throws {
        guard let region = op.region, let kernel = op.attributes["kernel"]?.stringValue else {
            throw SmeltError("fused op without a region or kernel", at: op.location)
        }
        let label = "\(kernel) %\(graph.name(of: op.result))"
        switch kernel {
        case "residual_norm":
            if try emitResidualNorm(region, tokens: t, label: label) { return }
        case "qk_norm_rope":
            if try emitQKNormRoPE(region, tokens: t, label: label) { return }
        case "qkv_rope":
            if try emitQKVRoPE(op, region: region, tokens: t, label: label) { return }
        case "matvec_residual_norm":
            if try emitMatvecResidualNorm(op, region: region, tokens: t, label: label) { return }
        case "matvec_multi", "gated_matvec":
            if t == 1, try emitGroupMatvec(op, kernel: kernel, region: region, label: label) { return }
        default:
            if t == 1 { remark(op, "no fused kernel is named '\(kernel)'") }
        }
        for member in region.ops { try emit(member, tokens: t) }
    }

    /// The residual row of a region: post-norm? → add → norm.
    private struct ResidualRowOperands {
        var add: Op, norm: Op, post: Op?
        var a: ValueID, y: ValueID
        var g: LoweredWeight, gp: LoweredWeight
        var dim: Int
        /// hasPost, epsPost, eps.
        var push: [UInt32]
    }

    /// `branch`: the value the add's branch comes from (a projection's
    /// result), when known; otherwise the add's second operand.
    private func residualRow(_ region: Region, branch: ValueID? = nil) throws -> ResidualRowOperands? {
        guard let add = region.ops.first(where: { $0.kind == "add" }),
              let norm = region.ops.first(where: { $0.kind == "rms_norm" && $0.operands[0] == add.result }) else {
            return nil
        }
        let post = region.ops.first { $0.kind == "rms_norm" && add.operands.contains($0.result) }
        let a = add.operands.first { $0 != (post?.result ?? branch) } ?? add.operands[0]
        let y = post?.operands[0] ?? add.operands.first { $0 != a } ?? add.operands[1]
        let g = try weight(norm.operands[1], for: norm)
        let gp = try post.map { try weight($0.operands[1], for: $0) } ?? g
        let dim = g.columns
        guard try perToken(add.result) == dim, gp.columns == dim else { return nil }
        let eps = { (op: Op?) in Float(op?.attribute("eps")?.doubleValue ?? 0) }
        return ResidualRowOperands(add: add, norm: norm, post: post, a: a, y: y, g: g, gp: gp, dim: dim,
                                   push: [(post == nil ? 0 : 1), eps(post).word, eps(norm).word])
    }

    /// post-norm? → add → norm as one row kernel; false if the region is not that.
    private mutating func emitResidualNorm(_ region: Region, tokens t: Int, label: String) throws -> Bool {
        guard let row = try residualRow(region) else { return false }
        builder.dispatch(.residualNorm, bindings: [
            builder.whole(control), try view(row.a, for: row.add, tokens: t), try view(row.y, for: row.add, tokens: t),
            builder.whole(row.gp.buffer), builder.whole(row.g.buffer), try view(row.add.result, for: row.add, tokens: t),
            try view(row.norm.result, for: row.norm, tokens: t),
        ], writes: [5, 6], push: [row.dim.word] + row.push,
        groups: t, label: label, bytesMoved: t * row.dim * 4 * 5 + row.dim * 8)
        return true
    }

    /// A projection and its residual row: in decode one matvec whose last
    /// workgroup does the row; in prefill the matmul, then the row kernel.
    private mutating func emitMatvecResidualNorm(_ op: Op, region: Region, tokens t: Int,
                                                 label: String) throws -> Bool {
        guard let linear = region.ops.first(where: { $0.kind == "linear" }), linear.operands.count == 2,
              let row = try residualRow(region, branch: linear.result), row.y == linear.result else { return false }
        if t > 1 {
            try emit(linear, tokens: t)
            if try emitResidualNorm(region, tokens: t, label: label) { return true }
            for member in region.ops where member.result != linear.result { try emit(member, tokens: t) }
            return true
        }
        let w = try weight(linear.operands[1], for: linear)
        guard let layout = w.layout, w.windows.count == 1, w.rows == row.dim else {
            remark(op, "its matrix does not fit one weight binding")
            return false
        }
        let spec = try WeightKernels.matvecResidualNormSpec(dtype: w.dtype, rows: w.rows, cols: w.columns)
        let groups = WeightKernels.workgroupCounts(for: spec, rowCount: w.rows)
        builder.dispatch(spec, bindings: [
            w.windows[0].slice, try view(linear.operands[0], for: linear, tokens: 1),
            try view(linear.result, for: linear, tokens: 1), builder.whole(control),
            try view(row.a, for: row.add, tokens: 1), builder.whole(row.gp.buffer), builder.whole(row.g.buffer),
            try view(row.add.result, for: row.add, tokens: 1), try view(row.norm.result, for: row.norm, tokens: 1),
            counterSlot(),
        ], writes: [2, 7, 8, 9], push: [0, w.rows.word] + row.push, groups: [groups.0, groups.1, groups.2],
        label: label, bytesMoved: w.rows * layout.rowStride + w.columns * 4 + row.dim * 4 * 6)
        return true
    }

    /// Head norms, RoPE and the cache write as one per-head kernel.
    mutating func emitQKNormRoPE(_ region: Region, tokens t: Int, label: String) throws -> Bool {
        guard let head = try HeadOperands(region, in: self) else { return false }
        try emitQKNormRoPE(head, tokens: t, label: label)
        return true
    }

    mutating func emitQKNormRoPE(_ head: HeadOperands, tokens t: Int, label: String) throws {
        let xq = try view(head.q, for: head.qRope, tokens: t)
        builder.dispatch(.qkNormRoPE(head.cache.element), bindings: [
            builder.whole(control), xq, try view(head.k, for: head.kRope, tokens: t),
            try view(head.v, for: head.write, tokens: t),
            head.wq.map { builder.whole($0.buffer) } ?? xq, head.wk.map { builder.whole($0.buffer) } ?? xq,
            try view(head.qRope.result, for: head.qRope, tokens: t),
            builder.whole(try buffer(head.write.results[0], for: head.write)),
            builder.whole(try buffer(head.write.results[1], for: head.write)),
        ], writes: [6, 7, 8], push: head.push(capacity: options.contextLength),
        groups: [head.qHeads + head.cache.heads, t, 1], label: label,
        bytesMoved: t * (head.qHeads + 2 * head.cache.heads) * head.cache.headDim * 8)
    }

    /// One decode matvec over a group's matrices stored as one.
    mutating func emitGroupMatvec(_ op: Op, kernel: String, region: Region, label: String) throws -> Bool {
        let linears = groupLinears(op)
        guard let first = linears.first, let name = weightName(first.operands[1]), let group = weightGroups[name],
              let whole = groupWeights[group[0]], let layout = whole.layout, whole.windows.count == 1 else { return false }
        let window = whole.windows[0]
        let x = try view(first.operands[0], for: first, tokens: 1)
        let spec: KernelSpec
        let y: BufferSlice
        let rows: Int
        if kernel == "gated_matvec" {
            guard let act = region.ops.first(where: { ["gelu_tanh", "silu"].contains($0.kind) }),
                  let mul = region.ops.first(where: { $0.kind == "mul" }) else { return false }
            rows = whole.rows / 2
            spec = try WeightKernels.gatedMatvecSpec(dtype: whole.dtype, rows: rows, cols: whole.columns,
                                                     activation: act.kind)
            y = try view(mul.result, for: mul, tokens: 1)
        } else {
            rows = whole.rows
            spec = try WeightKernels.matvecSpec(dtype: whole.dtype, rows: rows, cols: whole.columns)
            guard let out = decodeViews[first.result] else { return false }
            y = BufferSlice(buffer: out.buffer, offset: 0, size: rows * 4)
        }
        let groups = WeightKernels.workgroupCounts(for: spec, rowCount: rows)
        builder.dispatch(spec, bindings: [window.slice, x, y, builder.whole(control)], writes: [2],
                         push: [0, rows.word], groups: [groups.0, groups.1, groups.2], label: label,
                         bytesMoved: whole.rows * layout.rowStride + (whole.columns + rows) * 4)
        return true
    }
}

extension WeightPacker {
    /// Packs `tensors` (one format and row length) as one matrix, rows in
    /// order; returns it and a view of each member's rows.
    mutating func packGroup(_ tensors: [WeightTensor], into builder: inout PlanBuilder) throws
        -> (whole: LoweredWeight, members: [LoweredWeight]) {
        while blob.count % Self.alignment != 0 { blob.append(0) }
        let offset = blob.count
        var packed: [PackedWeight] = []
        for tensor in tensors {
            let p = try packWeight(tensor, for: .rowPerInvocation)
            blob.append(contentsOf: p.bytes)
            packed.append(p)
        }
        let layout = packed[0].layout
        let rows = packed.reduce(0) { $0 + $1.rows }
        let name = tensors.map(\.name).joined(separator: "+")
        let buffer = builder.addBuffer(PlannedBuffer(name: name, role: .weight, byteSize: rows * layout.rowStride,
                                                     weightOffset: offset, packing: packed[0].packing))
        func lowered(_ name: String, rowStart: Int, rowCount: Int) -> LoweredWeight {
            let slice = BufferSlice(buffer: buffer, offset: rowStart * layout.rowStride, size: rowCount * layout.rowStride)
            return LoweredWeight(name: name, buffer: buffer, packing: packed[0].packing, layout: layout, rows: rowCount,
                                 columns: layout.cols, windows: [.init(rowStart: 0, rowCount: rowCount, slice: slice)])
        }
        var start = 0
        var members: [LoweredWeight] = []
        for (tensor, p) in zip(tensors, packed) {
            members.append(lowered(tensor.name, rowStart: start, rowCount: p.rows))
            start += p.rows
        }
        return (lowered(name, rowStart: 0, rowCount: rows), members)
    }
}
