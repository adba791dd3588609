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
    /// logical [position, head, d] order; an f16 cache against the CPU's
    /// writes of f16-rounded keys and values.
    @Test(arguments: [(0, Float(0), false, false), (5, Float(0), false, true), (4, Float(3), true, false),
                      (0, Float(0), true, true)])
    func kvWriteAndAttention(window: Int, softcap: Float, f16: Bool, headMajor: Bool) throws {
        try withValidatedDevice { device in
            let (tokens, heads, kvHeads, headDim, capacity, start) = (6, 4, 2, 24, 80, 70)
            let row = kvHeads * headDim
            let positions = (0 ..< tokens).map { Int32(start + $0) }
            let (posStride, headStride) = headMajor ? (headDim, capacity * headDim) : (row, headDim)
            let round = { (values: [Float]) in f16 ? roundedToHalf(values) : values }
            /// Logical token-major floats → the device's bytes, and back.
            func image(_ logical: [Float]) -> [UInt32] {
                var laid = [Float](repeating: 0, count: logical.count)
                for p in 0 ..< capacity { for h in 0 ..< kvHeads { for d in 0 ..< headDim {
                    laid[p * posStride + h * headStride + d] = logical[p * row + h * headDim + d]
                } } }
                return f16 ? halfWords(laid) : laid.words
            }
            func logical(_ words: [UInt32]) -> [Float] {
                let laid = f16 ? words.flatMap { [Float(Float16(bitPattern: UInt16($0 & 0xFFFF))),
                                                  Float(Float16(bitPattern: UInt16($0 >> 16)))] } : words.floats
                var out = [Float](repeating: 0, count: capacity * row)
                for p in 0 ..< capacity { for h in 0 ..< kvHeads { for d in 0 ..< headDim {
                    out[p * row + h * headDim + d] = laid[p * posStride + h * headStride + d]
                } } }
                return out
            }
            // Earlier positions already in the cache.
            var keys = round(testValues(count: capacity * row, seed: 9))
            var values = round(testValues(count: capacity * row, seed: 10))
            let k = testValues(count: tokens * row, seed: 11), v = testValues(count: tokens * row, seed: 12)
            let q = testValues(count: tokens * heads * headDim, seed: 13)
            let strides = [UInt32(posStride), UInt32(headStride)]
            let written = try runKernel(device, .kvWrite(f16: f16), control: [UInt32(start), UInt32(tokens)],
                                        buffers: [k.words, v.words, image(keys), image(values)], bindings: [0, 1, 2, 3, 4],
                                        push: [UInt32(row), UInt32(capacity), UInt32(headDim)] + strides,
                                        groups: (tokens * row + 63) / 64)
            try CPUKernels.writeKV(round(k), into: &keys, positions: positions, tokens: tokens, kvHeads: kvHeads,
                                   headDim: headDim, cacheCapacity: capacity)
            try CPUKernels.writeKV(round(v), into: &values, positions: positions, tokens: tokens, kvHeads: kvHeads,
                                   headDim: headDim, cacheCapacity: capacity)
            #expect(logical(written[3]) == keys && logical(written[4]) == values)

            let scale: Float = 0.2
            let expected = try CPUKernels.attention(
                q: q, keys: keys, values: values, positions: positions, tokens: tokens, queryHeads: heads,
                kvHeads: kvHeads, headDim: headDim, cacheCapacity: capacity, cacheLength: start + tokens, scale: scale,
                window: window, softcap: softcap)
            // Both attention kernels: keys in the lanes (a workgroup per query)
            // and queries in the lanes (a workgroup per KV head and token block).
            let rowsTokens = KernelSpec.attentionRowsTokens(group: heads / kvHeads)
            for (spec, groups) in [(KernelSpec.attention(f16: f16), tokens * heads),
                                   (.attentionRows(f16: f16, headDim: headDim, group: heads / kvHeads),
                                    kvHeads * ((tokens + rowsTokens - 1) / rowsTokens))] {
                let out = try runKernel(device, spec, control: [UInt32(start), UInt32(tokens)],
                                        buffers: [q.words, written[3], written[4], [UInt32](repeating: 0, count: q.count)],
                                        bindings: [0, 1, 2, 3, 4],
                                        push: [UInt32(heads), UInt32(kvHeads), UInt32(headDim), UInt32(window),
                                               scale.bitPattern, softcap.bitPattern] + strides, groups: groups)
                #expect(maxAbsDifference(out[4].floats, expected) < 1e-5, "\(spec.name)")
            }
        }
    }

    /// Decode attention split over the keys: each of `splits` workgroups
    /// per head takes a range, the last to finish merges. Positions with
    /// fewer keys than splits (empty ranges), a sliding window, GQA; three
    /// replays in one submission, so the per-head counters must come back to
    /// zero each time.
    @Test(arguments: [(1, 0, 3), (40, 5, 4), (75, 0, 16), (75, 70, 5)])
    func splitAttentionMatchesCPU(start: Int, window: Int, splits: Int) throws {
        try withValidatedDevice { device in
            let (heads, kvHeads, headDim, capacity) = (4, 2, 24, 80)
            let row = kvHeads * headDim
            let keys = testValues(count: capacity * row, seed: 21), values = testValues(count: capacity * row, seed: 22)
            let q = testValues(count: heads * headDim, seed: 23)
            let (scale, softcap): (Float, Float) = (0.3, 0)
            let expected = try CPUKernels.attention(
                q: q, keys: keys, values: values, positions: [Int32(start)], tokens: 1, queryHeads: heads,
                kvHeads: kvHeads, headDim: headDim, cacheCapacity: capacity, cacheLength: start + 1, scale: scale,
                window: window, softcap: softcap)
            for (spec, groups) in [(KernelSpec.attention(f16: false, split: true), heads),
                                   (.attentionRows(f16: false, split: true, headDim: headDim, group: heads / kvHeads),
                                    kvHeads)] {
                let out = try runKernel(device, spec, control: [UInt32(start), 1],
                                        buffers: [q.words, keys.words, values.words,
                                                  [UInt32](repeating: 0, count: q.count),
                                                  [UInt32](repeating: 0, count: heads * splits * (headDim + 2)),
                                                  [UInt32](repeating: 0, count: heads)],
                                        bindings: [0, 1, 2, 3, 4, 5, 6],
                                        push: [UInt32(heads), UInt32(kvHeads), UInt32(headDim), UInt32(window),
                                               scale.bitPattern, softcap.bitPattern, UInt32(row), UInt32(headDim)],
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
