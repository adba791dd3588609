import Foundation
import Testing
import SmeltCodegen
import SmeltReference
import SmeltVulkan

/// Each generated kernel against the CPU kernels of the reference
/// interpreter, on small shapes that are not multiples of the workgroup.
@Suite struct VulkanKernelTests {
    @Test func rmsNormPerRowAndPerHead() throws {
        try withValidatedDevice { device in
            let (tokens, heads, dim) = (3, 4, 80)
            let x = testValues(count: tokens * heads * dim, seed: 4)
            let w = testValues(count: dim, seed: 5)
            let expected = try CPUKernels.rmsNorm(x, weight: w, rows: tokens * heads, dim: dim, eps: 1e-6)
            let out = try runKernel(device, .rmsNormF32, control: [0, UInt32(tokens)],
                                    buffers: [x.words, w.words, [UInt32](repeating: 0, count: x.count)],
                                    bindings: [0, 1, 2, 3], push: [UInt32(dim), UInt32(heads), Float(1e-6).bitPattern],
                                    groups: tokens * heads)
            #expect(maxAbsDifference(out[3].floats, expected) < 1e-5)
        }
    }

    @Test(arguments: [KernelSpec.ElementwiseOp.add, .mul, .scale, .geluTanh, .silu])
    func elementwise(_ op: KernelSpec.ElementwiseOp) throws {
        try withValidatedDevice { device in
            let n = 130
            let a = testValues(count: n, seed: 6).map { $0 * 6 }, b = testValues(count: n, seed: 7)
            let expected: [Float] = switch op {
            case .add: try CPUKernels.add(a, b)
            case .mul: try CPUKernels.mul(a, b)
            case .scale: CPUKernels.scale(a, by: 0.37)
            case .geluTanh: CPUKernels.geluTanh(a)
            case .silu: CPUKernels.silu(a)
            }
            let out = try runKernel(device, .elementwiseF32, control: [0, 2],
                                    buffers: [a.words, b.words, [UInt32](repeating: 0, count: n)],
                                    bindings: [0, 1, 2, 3], push: [65, op.rawValue, Float(0.37).bitPattern], groups: 3)
            #expect(maxAbsDifference(out[3].floats, expected) < 1e-5, "op \(op)")
        }
    }

    @Test(arguments: [(RoPEStyle.neox, 16), (.normal, 16), (.neox, 12)])
    func rope(_ style: RoPEStyle, rotary: Int) throws {
        try withValidatedDevice { device in
            let (tokens, heads, headDim, start) = (3, 2, 16, 37)
            let x = testValues(count: tokens * heads * headDim, seed: 8)
            var expected = x
            try CPUKernels.rope(&expected, positions: (0 ..< tokens).map { Int32(start + $0) }, tokens: tokens,
                                heads: heads, headDim: headDim, theta: 10000, rotaryDim: rotary, style: style)
            let out = try runKernel(device, .ropeF32, control: [UInt32(start), UInt32(tokens)],
                                    buffers: [x.words, [UInt32](repeating: 0, count: x.count)], bindings: [0, 1, 2],
                                    push: [UInt32(heads), UInt32(headDim), UInt32(rotary), style == .neox ? 1 : 0,
                                           Float(10000).bitPattern], groups: 1)
            #expect(maxAbsDifference(out[2].floats, expected) < 1e-5)
        }
    }

    /// kv_write then attention for a prefill chunk at a non-zero position:
    /// GQA, a sliding window and a soft-cap, for every cache element type
    /// and layout select-kv-layout can choose. The caches are compared in
    /// logical [position, head, d] order; an f16 or q8_0 cache against the
    /// CPU's writes of keys and values rounded as the reference interpreter
    /// rounds them.
    @Test(arguments: [(0, Float(0), KVCacheElement.f32, false), (5, Float(0), .f32, true), (4, Float(3), .f16, false),
                      (0, Float(0), .f16, true), (3, Float(0), .q8_0, false), (0, Float(2), .q8_0, true)])
    func kvWriteAndAttention(window: Int, softcap: Float, element: KVCacheElement, headMajor: Bool) throws {
        try withValidatedDevice { device in
            let (tokens, heads, kvHeads, capacity, start) = (6, 4, 2, 80, 70)
            let headDim = element == .q8_0 ? 64 : 24
            let row = kvHeads * headDim
            let positions = (0 ..< tokens).map { Int32(start + $0) }
            let (posStride, headStride) = headMajor ? (headDim, capacity * headDim) : (row, headDim)
            let round = { (values: [Float]) in
                switch element {
                case .f32: values
                case .f16: roundedToHalf(values)
                case .q8_0: CPUKernels.roundedToQ8Blocks(values)
                }
            }
            /// Logical token-major floats → the device's words, and back.
            func image(_ logical: [Float]) -> [UInt32] {
                var laid = [Float](repeating: 0, count: logical.count)
                for p in 0 ..< capacity { for h in 0 ..< kvHeads { for d in 0 ..< headDim {
                    laid[p * posStride + h * headStride + d] = logical[p * row + h * headDim + d]
                } } }
                return cacheWords(laid, element)
            }
            func logical(_ words: [UInt32]) -> [Float] {
                let laid = cacheValues(words, element, count: capacity * row)
                var out = [Float](repeating: 0, count: capacity * row)
                for p in 0 ..< capacity { for h in 0 ..< kvHeads { for d in 0 ..< headDim {
                    out[p * row + h * headDim + d] = laid[p * posStride + h * headStride + d]
                } } }
                return out
            }
            // Earlier positions already in the cache (stored as the device
            // stores them; the CPU's copy rounded the same way).
            let earlierKeys = testValues(count: capacity * row, seed: 9)
            let earlierValues = testValues(count: capacity * row, seed: 10)
            var keys = round(earlierKeys), values = round(earlierValues)
            let k = testValues(count: tokens * row, seed: 11), v = testValues(count: tokens * row, seed: 12)
            let q = testValues(count: tokens * heads * headDim, seed: 13)
            let layout = [UInt32(posStride), UInt32(headStride), UInt32(element.scalesWord(elements: capacity * row))]
            let per = KernelSpec.kvWriteElementsPerInvocation(element)
            let written = try runKernel(device, .kvWrite(element), control: [UInt32(start), UInt32(tokens)],
                                        buffers: [k.words, v.words, image(earlierKeys), image(earlierValues)], bindings: [0, 1, 2, 3, 4],
                                        push: [UInt32(row), UInt32(capacity), UInt32(headDim)] + layout,
                                        groups: (tokens * row + 64 * per - 1) / (64 * per))
            try CPUKernels.writeKV(round(k), into: &keys, positions: positions, tokens: tokens, kvHeads: kvHeads,
                                   headDim: headDim, cacheCapacity: capacity)
            try CPUKernels.writeKV(round(v), into: &values, positions: positions, tokens: tokens, kvHeads: kvHeads,
                                   headDim: headDim, cacheCapacity: capacity)
            #expect(logical(written[3]) == keys && logical(written[4]) == values, "kv_write \(element)")

            let scale: Float = 0.2
            let expected = try CPUKernels.attention(
                q: q, keys: keys, values: values, positions: positions, tokens: tokens, queryHeads: heads,
                kvHeads: kvHeads, headDim: headDim, cacheCapacity: capacity, cacheLength: start + tokens, scale: scale,
                window: window, softcap: softcap)
            // Both attention kernels: keys in the lanes (a workgroup per query)
            // and queries in the lanes (a workgroup per KV head and token block).
            let rowsTokens = KernelSpec.attentionRowsTokens(group: heads / kvHeads)
            for (spec, groups) in [(KernelSpec.attention(element), tokens * heads),
                                   (.attentionRows(element, headDim: headDim, group: heads / kvHeads),
                                    kvHeads * ((tokens + rowsTokens - 1) / rowsTokens))] {
                let out = try runKernel(device, spec, control: [UInt32(start), UInt32(tokens)],
                                        buffers: [q.words, written[3], written[4], [UInt32](repeating: 0, count: q.count)],
                                        bindings: [0, 1, 2, 3, 4],
                                        push: [UInt32(heads), UInt32(kvHeads), UInt32(headDim), UInt32(window),
                                               scale.bitPattern, softcap.bitPattern] + layout, groups: groups)
                #expect(maxAbsDifference(out[4].floats, expected) < 1e-5, "\(spec.name)")
            }
        }
    }

    /// Decode attention split over the keys: each of `splits` workgroups
    /// per head takes a range, the last to finish merges. Positions with
    /// fewer keys than splits (empty ranges), a sliding window, GQA, f32 and
    /// q8_0 caches; three replays in one submission, so the per-head
    /// counters must come back to zero each time.
    @Test(arguments: [(1, 0, 3, KVCacheElement.f32), (40, 5, 4, .f32), (75, 0, 16, .f32), (75, 70, 5, .f32),
                      (40, 0, 4, .q8_0), (75, 70, 5, .q8_0)])
    func splitAttentionMatchesCPU(start: Int, window: Int, splits: Int, element: KVCacheElement) throws {
        try withValidatedDevice { device in
            let (heads, kvHeads, capacity) = (4, 2, 80)
            let headDim = element == .q8_0 ? 32 : 24
            let row = kvHeads * headDim
            let keys = testValues(count: capacity * row, seed: 21), values = testValues(count: capacity * row, seed: 22)
            let round = { (values: [Float]) in element == .q8_0 ? CPUKernels.roundedToQ8Blocks(values) : values }
            let q = testValues(count: heads * headDim, seed: 23)
            let (scale, softcap): (Float, Float) = (0.3, 0)
            let expected = try CPUKernels.attention(
                q: q, keys: round(keys), values: round(values), positions: [Int32(start)], tokens: 1, queryHeads: heads,
                kvHeads: kvHeads, headDim: headDim, cacheCapacity: capacity, cacheLength: start + 1, scale: scale,
                window: window, softcap: softcap)
            for (spec, groups) in [(KernelSpec.attention(element, split: true), heads),
                                   (.attentionRows(element, split: true, headDim: headDim, group: heads / kvHeads),
                                    kvHeads)] {
                let out = try runKernel(device, spec, control: [UInt32(start), 1],
                                        buffers: [q.words, cacheWords(keys, element), cacheWords(values, element),
                                                  [UInt32](repeating: 0, count: q.count),
                                                  [UInt32](repeating: 0, count: heads * splits * (headDim + 2)),
                                                  [UInt32](repeating: 0, count: heads)],
                                        bindings: [0, 1, 2, 3, 4, 5, 6],
                                        push: [UInt32(heads), UInt32(kvHeads), UInt32(headDim), UInt32(window),
                                               scale.bitPattern, softcap.bitPattern, UInt32(row), UInt32(headDim),
                                               UInt32(element.scalesWord(elements: capacity * row))],
                                        groups: groups, groupsY: splits, replays: 3)
                #expect(maxAbsDifference(out[4].floats, expected) < 1e-5,
                        "\(spec.name): start \(start), \(splits) splits")
                #expect(out[6] == [UInt32](repeating: 0, count: heads), "the last split resets its counter")
            }
        }
    }

    /// Argmax (first of equal maxima), the token and output writes, and the
    /// step protocol's position advance.
    @Test func greedySampleAdvancesTheStep() throws {
        try withValidatedDevice { device in
            var logits = testValues(count: 1000, seed: 14)
            logits[700] = 5
            logits[321] = 5
            logits[10] = .nan
            let out = try runKernel(device, .sample, control: [12, 3],
                                    buffers: [logits.words, [0, 0], [UInt32](repeating: 0, count: 20)],
                                    bindings: [0, 1, 2, 3], push: [1000, 20], groups: 1)
            #expect(try CPUKernels.argmax(logits) == 321)
            #expect(out[2][0] == 321 && out[3][15] == 321)
            #expect(out[0][0] == 15 && out[0][1] == 1)
        }
    }
}
