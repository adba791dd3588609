import SmeltArtifact
import SmeltIR

/// One op → its dispatches, for a list of `tokens` rows (1 for decode, the
/// prefill chunk for prefill). Kernels read the real count from the
/// control buffer; `tokens` only sizes the grid.
extension LoweringState {
    mutating func emit(tokens t: Int) throws {
        for (position, op) in graph.ops.enumerated() {
            let before = builder.dispatchCount, bytesBefore = builder.bytesMoved
            do {
                try emit(op, tokens: t)
                if t == 1 {
                    decodeCost[position] = (builder.dispatchCount - before, builder.bytesMoved - bytesBefore)
                }
            } catch let error as SmeltError {
                throw error
            } catch {
                throw SmeltError("lowering \(op.kind): \(error)", at: op.location)
            }
        }
        // The score list leaves the logits of every row and the position
        // to the host.
        guard scoreLogits == nil else { return }
        let ctl = builder.whole(control)
        builder.dispatch(.sample, bindings: [ctl, builder.whole(logits), builder.whole(self.tokens),
                                             builder.whole(output)],
                         writes: [0, 2, 3], push: [vocabularySize.word, options.contextLength.word], groups: 1,
                         label: "sample", bytesMoved: vocabularySize * 4)
    }

    private func float(_ op: Op, _ key: String, default value: Double = 0) -> Float {
        Float(op.attribute(key)?.doubleValue ?? value)
    }

    mutating func emit(_ op: Op, tokens t: Int) throws {
        let ctl = builder.whole(control)
        func slice(_ value: ValueID) throws -> BufferSlice { try view(value, for: op, tokens: t) }
        let label = "\(op.kind) %\(graph.name(of: op.result))"
        switch op.kind {
        case "input", "weight", "reshape":
            return
        case "embedding":
            let table = try embeddingTable(op)
            let spec = try KernelSpec.embedding(dtype: table.dtype, cols: table.columns)
            let out = try slice(op.result)
            for window in table.windows {
                builder.dispatch(spec, bindings: [ctl, try slice(op.operands[1]), window.slice, out],
                                 writes: [3], push: [window.rowStart.word, window.rowCount.word],
                                 groups: KernelSpec.embeddingGroups(spec, tokens: t), label: label,
                                 bytesMoved: t * (table.layout?.rowStride ?? 0) + t * table.columns * 4)
            }
        case "rms_norm":
            let w = try weight(op.operands[1], for: op)
            let dim = w.columns
            let total = try perToken(op.operands[0])
            guard total % dim == 0 else {
                throw SmeltError("rms_norm: weight length \(dim) does not divide \(total) values per token", at: op.location)
            }
            builder.dispatch(.rmsNormF32, bindings: [ctl, try slice(op.operands[0]), builder.whole(w.buffer),
                                                     try slice(op.result)],
                             writes: [3], push: [dim.word, (total / dim).word, float(op, "eps").word],
                             groups: t * total / dim, label: label, bytesMoved: t * total * 8 + dim * 4)
        case "linear", "logits":
            try emitLinear(op, tokens: t, label: label)
        case "add", "mul", "scale", "gelu_tanh", "silu":
            let code: KernelSpec.ElementwiseOp = switch op.kind {
            case "add": .add
            case "mul": .mul
            case "scale": .scale
            case "gelu_tanh": .geluTanh
            default: .silu
            }
            let n = try perToken(op.result)
            let a = try slice(op.operands[0])
            let b = op.operands.count > 1 ? try slice(op.operands[1]) : a
            builder.dispatch(.elementwiseF32, bindings: [ctl, a, b, try slice(op.result)], writes: [3],
                             push: [n.word, code.rawValue, float(op, "factor", default: 1).word],
                             groups: ceilDiv(t * n, 64), label: label, bytesMoved: t * n * (op.operands.count + 1) * 4)
        case "rope":
            let dims = graph.type(of: op.operands[0]).dims.compactMap(\.fixedValue)
            guard dims.count == 2 else { throw SmeltError("rope: x must be [T, heads, headDim]", at: op.location) }
            let (heads, headDim) = (dims[0], dims[1])
            let rotary = op.attribute("dims")?.intValue ?? headDim
            guard rotary % 2 == 0, rotary <= headDim, headDim % 2 == 0 else {
                throw SmeltError("rope: rotary dims \(rotary) must be even and ≤ headDim \(headDim)", at: op.location)
            }
            builder.dispatch(.ropeF32, bindings: [ctl, try slice(op.operands[0]), try slice(op.result)], writes: [2],
                             push: [heads.word, headDim.word, rotary.word,
                                    (op.attribute("neox")?.boolValue == true ? 1 : 0), float(op, "theta").word],
                             groups: ceilDiv(t * heads * headDim / 2, 64), label: label,
                             bytesMoved: t * heads * headDim * 8)
        case "kv_write":
            let row = try perToken(op.operands[0])
            guard let cache = cacheShape[op.results[0]] else {
                throw SmeltError("kv_write: no cache was allocated", at: op.location)
            }
            let per = KernelSpec.kvWriteElementsPerInvocation(cache.element)
            builder.dispatch(.kvWrite(cache.element), bindings: [ctl, try slice(op.operands[0]), try slice(op.operands[1]),
                                                                 try slice(op.results[0]), try slice(op.results[1])],
                             writes: [3, 4], push: [row.word, options.contextLength.word, cache.headDim.word] + cache.strideWords,
                             groups: ceilDiv(t * row, 64 * per), label: label,
                             bytesMoved: t * row * 8 + 2 * cache.element.cacheBytes(elements: t * row))
        case "attention":
            try emitAttention(op, tokens: t, label: label)
        case "fused":
            try emitFused(op, tokens: t)
        default:
            throw SmeltError("the Vulkan lowering has no kernel for op '\(op.kind)'", at: op.location)
        }
    }

    private mutating func emitLinear(_ op: Op, tokens t: Int, label: String) throws {
        guard op.operands.count == 2 else {
            throw SmeltError("\(op.kind) with a bias is not supported by the Vulkan lowering yet", at: op.location)
        }
        let w = try weight(op.operands[1], for: op)
        guard let layout = w.layout else {
            throw SmeltError("\(op.kind): weight '\(w.name)' must be a matrix, got a vector", at: op.location)
        }
        // Logits are computed for the last token only, except in the score
        // list; decode lists use the matvec (one token), prefill lists the
        // tiled matmul.
        let spec: KernelSpec
        let rows: Int
        var y = try view(op.result, for: op, tokens: t)
        if op.kind == "logits", let scoreLogits {
            spec = try WeightKernels.scoreSpec(dtype: w.dtype, rows: w.rows, cols: w.columns,
                                               softcap: float(op, "softcap"),
                                               tokensPerInvocation: prefillTile(t, cols: w.columns))
            rows = t
            y = builder.whole(scoreLogits)
        } else if op.kind == "logits" {
            spec = try WeightKernels.logitsSpec(dtype: w.dtype, rows: w.rows, cols: w.columns,
                                                softcap: float(op, "softcap"), lastOfCount: t > 1)
            rows = 1
        } else if t == 1 {
            spec = try WeightKernels.matvecSpec(dtype: w.dtype, rows: w.rows, cols: w.columns)
            rows = 1
        } else {
            spec = try WeightKernels.matmulSpec(dtype: w.dtype, rows: w.rows, cols: w.columns,
                                                tokensPerInvocation: prefillTile(t, cols: w.columns))
            rows = t
        }
        let ctl = builder.whole(control)
        let x = try view(op.operands[0], for: op, tokens: t)
        let tiled = WeightKernels.bindsXTiles(spec)
        let tiles = tiled ? WeightKernels.tileCount(for: spec, maxTokens: t) : 1
        let tileBytes = WeightKernels.tileBytes(for: spec)
        for tile in 0 ..< tiles {
            // A matmul binds its tile's rows of x; matvec and logits all of x.
            let xs = tiled ? BufferSlice(buffer: x.buffer, offset: tile * tileBytes, size: tileBytes) : x
            for window in w.windows {
                let groups = WeightKernels.workgroupCounts(for: spec, rowCount: window.rowCount)
                // Tiles past a short chunk's tokens are not dispatched.
                builder.dispatch(spec, bindings: [window.slice, xs, y, ctl], writes: [2],
                                 push: [window.rowStart.word, window.rowCount.word] + (tiled ? [tile.word] : []),
                                 groups: [groups.0, groups.1, groups.2], label: label,
                                 bytesMoved: window.rowCount * layout.rowStride
                                     + rows / tiles * (w.columns + window.rowCount) * 4,
                                 firstToken: tiled && tile > 0 ? tile * (t / tiles) : nil)
            }
        }
    }

    /// Tokens per matmul tile (`WeightKernels.prefillTile`).
    private func prefillTile(_ t: Int, cols: Int) throws -> Int {
        if let tile = WeightKernels.prefillTile(chunk: t, cols: cols, maxUniformBufferRange: options.maxUniformBufferRange) {
            return tile
        }
        throw SmeltError("a token row of \(cols) f32 values does not fit the device's "
            + "\(options.maxUniformBufferRange)-byte uniform buffers")
    }

    /// The table an embedding op reads: the weight itself when an
    /// embedding kernel reads its format, else an f32 copy.
    private mutating func embeddingTable(_ op: Op) throws -> LoweredWeight {
        let table = try weight(op.operands[0], for: op)
        guard table.layout != nil else {
            throw SmeltError("embedding: the table '\(table.name)' must be a matrix", at: op.location)
        }
        if KernelSpec.embeddingDTypes.contains(table.dtype) { return table }
        if let copy = embeddingCopies[table.name] { return copy }
        let copy = try packer.pack(try store.tensor(named: table.name), asF32: true, into: &builder)
        embeddingCopies[table.name] = copy
        return copy
    }

    private mutating func emitAttention(_ op: Op, tokens t: Int, label: String) throws {
        let dims = graph.type(of: op.operands[0]).dims.compactMap(\.fixedValue)
        guard dims.count == 2, let cache = cacheShape[op.operands[1]], cacheShape[op.operands[2]] != nil else {
            throw SmeltError("attention: q must be [T, heads, headDim] and k, v must come from kv_write", at: op.location)
        }
        let (heads, headDim) = (dims[0], dims[1])
        guard headDim == cache.headDim, heads % cache.heads == 0, headDim <= 512 else {
            throw SmeltError("attention: \(heads) query heads of \(headDim) against \(cache.heads) KV heads of "
                + "\(cache.headDim): heads must be a multiple of KV heads, head sizes equal and ≤ 512", at: op.location)
        }
        let multiple = cache.element.headDimMultiple
        guard headDim % multiple == 0 else {
            throw SmeltError("attention: head size \(headDim) must be a multiple of \(multiple) with a "
                + "\(cache.element.rawValue) cache (the kernel reads the cache in 16-byte loads)", at: op.location)
        }
        let ctl = builder.whole(control)
        func slice(_ v: ValueID) throws -> BufferSlice { try view(v, for: op, tokens: t) }
        // Decode splits the keys over `splits` workgroups per head (per KV
        // head with queries in the lanes), merged by the last to finish.
        let splits = t == 1 ? options.attentionSplits : 1
        var bindings = [ctl, try slice(op.operands[0]), try slice(op.operands[1]), try slice(op.operands[2]),
                        try slice(op.result)]
        if splits > 1 {
            let partial = builder.addBuffer(PlannedBuffer(name: graph.name(of: op.result) + ".partial",
                                                          role: .activation, byteSize: heads * splits * (headDim + 2) * 4))
            bindings += [builder.whole(partial), counterSlot(count: heads)]
        }
        let spec: KernelSpec, groups: Int
        switch options.attentionLanes {
        case .keys:
            (spec, groups) = (.attention(cache.element, split: splits > 1), t * heads)
        case .queries:
            let group = heads / cache.heads
            spec = .attentionRows(cache.element, split: splits > 1, headDim: headDim, group: group)
            groups = cache.heads * ceilDiv(t, KernelSpec.attentionRowsTokens(group: group))
        }
        builder.dispatch(spec, bindings: bindings, writes: splits > 1 ? [4, 5, 6] : [4],
                         push: [heads.word, cache.heads.word, headDim.word, (op.attribute("window")?.intValue ?? 0).word,
                                float(op, "scale", default: 1).word, float(op, "softcap").word] + cache.strideWords,
                         groups: [groups, splits, 1], label: label,
                         // Decode reads the whole cache at full context in the worst case; count the q/out rows.
                         bytesMoved: t * heads * headDim * 8)
    }
}

func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
