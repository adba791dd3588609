import Foundation
import Testing
@testable import SmeltReference

@Suite("CPU kernel: attention")
struct KernelAttentionTests {
    struct Case {
        var tokens = 3, queryHeads = 2, kvHeads = 1, headDim = 4
        var capacity = 4, length = 3
        var positions: [Int32] = [0, 1, 2]
        var scale: Float = 0.5, window = 0, softcap: Float = 0
        var q: [Float] = [], keys: [Float] = [], values: [Float] = []

        /// Fills q and the whole cache (rows past `length` too, which must
        /// never be read) with reproducible values.
        mutating func fill(seed: UInt64) {
            var data = TestData(seed: seed)
            q = data.array(tokens * queryHeads * headDim)
            keys = data.array(capacity * kvHeads * headDim)
            values = data.array(capacity * kvHeads * headDim)
            for i in (length * kvHeads * headDim)..<keys.count { keys[i] = 1e6; values[i] = .nan }
        }

        func run() throws -> [Float] {
            try CPUKernels.attention(
                q: q, keys: keys, values: values, positions: positions,
                tokens: tokens, queryHeads: queryHeads, kvHeads: kvHeads, headDim: headDim,
                cacheCapacity: capacity, cacheLength: length, scale: scale, window: window, softcap: softcap)
        }

        /// The definition, written out with explicit loops in Double.
        func naive() -> [Double] {
            var out = [Double](repeating: 0, count: tokens * queryHeads * headDim)
            for t in 0..<tokens {
                let p = Int(positions[t])
                for h in 0..<queryHeads {
                    let kvHead = h / (queryHeads / kvHeads)
                    var scores: [Double] = [], visible: [Int] = []
                    for j in 0..<length where j <= p && (window == 0 || p - j < window) {
                        var s = 0.0
                        for d in 0..<headDim {
                            s += Double(q[(t * queryHeads + h) * headDim + d]) * Double(keys[(j * kvHeads + kvHead) * headDim + d])
                        }
                        s *= Double(scale)
                        if softcap > 0 { s = tanh(s / Double(softcap)) * Double(softcap) }
                        scores.append(s)
                        visible.append(j)
                    }
                    let m = scores.max()!
                    let weights = scores.map { exp($0 - m) }
                    let z = weights.reduce(0, +)
                    for (w, j) in zip(weights, visible) {
                        for d in 0..<headDim {
                            out[(t * queryHeads + h) * headDim + d] += w / z * Double(values[(j * kvHeads + kvHead) * headDim + d])
                        }
                    }
                }
            }
            return out
        }
    }

    @Test("one visible key returns its value; equal scores average the values")
    func handWorked() throws {
        // Two tokens, one head, q = 0 so every visible key scores 0.
        var c = Case(tokens: 2, queryHeads: 1, kvHeads: 1, headDim: 2, capacity: 2, length: 2, positions: [0, 1])
        c.q = [0, 0, 0, 0]
        c.keys = [1, 2, 3, 4]
        c.values = [10, 20, 30, 50]
        #expect(try c.run() == [10, 20, 20, 35])
    }

    @Test("3 tokens, 2 query heads sharing 1 KV head, causal")
    func gqaCausal() throws {
        var c = Case()
        c.fill(seed: 1)
        expectClose(try c.run(), c.naive(), absolute: 1e-6, relative: 1e-5)
    }

    @Test("4 query heads over 2 KV heads, 5 new tokens after 3 cached, softcap")
    func gqaWithPastAndSoftcap() throws {
        var c = Case(tokens: 5, queryHeads: 4, kvHeads: 2, headDim: 8, capacity: 10, length: 8,
                     positions: [3, 4, 5, 6, 7], scale: 3, softcap: 0.75)
        c.fill(seed: 2)
        expectClose(try c.run(), c.naive(), absolute: 1e-6, relative: 1e-5)
    }

    @Test("a decode step equals the same token's row of the prefill")
    func decodeMatchesPrefill() throws {
        var prefill = Case()
        prefill.fill(seed: 3)
        let all = try prefill.run()
        var step = prefill
        step.tokens = 1
        step.positions = [2]
        step.q = Array(prefill.q[16..<24])  // token 2: 2 heads × 4
        #expect(try step.run() == Array(all[16..<24]))
    }

    @Test("sliding window: the query at p sees keys p − window + 1 ... p")
    func slidingWindow() throws {
        var c = Case(tokens: 4, queryHeads: 2, kvHeads: 1, headDim: 4, capacity: 4, length: 4,
                     positions: [0, 1, 2, 3], window: 2)
        c.fill(seed: 4)
        let out = try c.run()
        expectClose(out, c.naive(), absolute: 1e-6, relative: 1e-5)

        // Independently of the naive reference: changing key/value 1 must
        // change token 2 (p − j = 1 < 2) but not token 3 (p − j = 2).
        var changed = c
        for d in 0..<4 { changed.keys[4 + d] += 1; changed.values[4 + d] += 1 }
        let out2 = try changed.run()
        #expect(out2[16..<24] != out[16..<24])
        #expect(out2[24..<32] == out[24..<32])

        // window 1: each query sees only itself, so it returns its own value.
        c.window = 1
        let own = try c.run()
        for t in 0..<4 {
            for h in 0..<2 {
                #expect(Array(own[((t * 2 + h) * 4)..<((t * 2 + h + 1) * 4)]) == Array(c.values[(t * 4)..<(t * 4 + 4)]))
            }
        }
    }

    @Test("large enough to split over threads, same as the definition")
    func threaded() throws {
        var c = Case(tokens: 16, queryHeads: 4, kvHeads: 1, headDim: 64, capacity: 64, length: 64,
                     positions: (48..<64).map { Int32($0) }, scale: 0.125, window: 20)
        c.fill(seed: 5)
        expectClose(try c.run(), c.naive(), absolute: 1e-6, relative: 1e-5)
    }

    @Test("a position outside the valid cache and a bad head grouping are reported")
    func errors() {
        var c = Case()
        c.fill(seed: 6)
        c.positions = [0, 1, 3]
        #expect(throws: KernelError.positionOutOfRange(kernel: "attention", index: 2, position: 3, limit: 3)) { try c.run() }
        c.positions = [0, 1, 2]
        c.kvHeads = 3
        c.keys = [Float](repeating: 0, count: 4 * 3 * 4)
        c.values = c.keys
        #expect(throws: KernelError.self) { try c.run() }
    }

    @Test("writeKV puts each token's row at its position")
    func writeKV() throws {
        var cache = [Float](repeating: 0, count: 4 * 2)  // capacity 4, kvHeads 1, headDim 2
        try CPUKernels.writeKV([1, 2, 3, 4], into: &cache, positions: [2, 0], tokens: 2, kvHeads: 1, headDim: 2, cacheCapacity: 4)
        #expect(cache == [3, 4, 0, 0, 1, 2, 0, 0])
        #expect(throws: KernelError.positionOutOfRange(kernel: "kv_write", index: 0, position: 4, limit: 4)) {
            try CPUKernels.writeKV([1, 2], into: &cache, positions: [4], tokens: 1, kvHeads: 1, headDim: 2, cacheCapacity: 4)
        }
        #expect(cache == [3, 4, 0, 0, 1, 2, 0, 0])
    }
}

@Suite("CPU kernel: q8_0 KV rounding")
struct Q8CacheRoundingTests {
    /// Blocks whose scales are powers of two, so every expected value is
    /// exact: amax 127 (scale 1), amax 254 (scale 2) and all zeros.
    @Test func blocksRoundToTheirScale() {
        var block1 = [Float](repeating: 0, count: 32)
        block1[0] = 127
        block1[1...6] = [2.5, 3.5, -1.5, 0.49, 100.25, -126.75]
        var block2 = [Float](repeating: 0, count: 32)
        block2[3] = -254
        block2[4...7] = [5, 7, 1.2, -3]
        let rounded = CPUKernels.roundedToQ8Blocks(block1 + block2 + [Float](repeating: 0, count: 32))
        // Ties go to even: 2.5 → 2, 3.5 → 4, -1.5 → -2; 5 / 2 → 2, 7 / 2 → 4, -3 / 2 → -2.
        #expect(Array(rounded[0...6]) == [127, 2, 4, -2, 0, 100, -127])
        #expect(Array(rounded[35...39]) == [-254, 4, 8, 2, -4])
        #expect(rounded[7 ..< 32].allSatisfy { $0 == 0 } && rounded[64...].allSatisfy { $0 == 0 })
    }

    /// Every value moves by at most half its block's step (amax / 127).
    @Test func errorIsAtMostHalfAStep() {
        var data = TestData(seed: 3)
        let values = data.array(32 * 8)
        let rounded = CPUKernels.roundedToQ8Blocks(values)
        for start in stride(from: 0, to: values.count, by: 32) {
            let step = values[start ..< start + 32].map(abs).max()! / 127
            for i in start ..< start + 32 {
                #expect(abs(rounded[i] - values[i]) <= step / 2 * 1.0001)
            }
        }
    }
}
