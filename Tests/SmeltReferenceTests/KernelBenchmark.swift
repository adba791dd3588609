import Foundation
import SmeltReference
import Testing

/// Timings of the heavy kernels at Gemma-3 270M sizes. Not a unit test:
/// skipped unless `SMELT_KERNEL_BENCH` is set, and meant for release builds:
/// `SMELT_KERNEL_BENCH=1 swift test -c release --filter KernelBenchmark`.
@Suite("CPU kernel benchmark", .serialized, .enabled(if: ProcessInfo.processInfo.environment["SMELT_KERNEL_BENCH"] != nil))
struct KernelBenchmark {
    /// Best wall time of `repeats` runs, in seconds.
    static func best(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        return best
    }

    static func report(_ name: String, seconds: Double, bytes: Double, flops: Double) {
        print(String(format: "%@: %.1f ms, %.1f GB/s, %.1f GFLOP/s (%d workers)",
                     name, seconds * 1e3, bytes / seconds / 1e9, flops / seconds / 1e9,
                     ProcessInfo.processInfo.activeProcessorCount))
    }

    @Test("matmul at Gemma-3 270M sizes", arguments: [(1, 640, 262_144), (512, 640, 2048), (512, 2048, 640), (1, 640, 2048)])
    func matmul(shape: (Int, Int, Int)) throws {
        let (t, k, n) = shape
        let x = [Float](repeating: 0.01, count: t * k)
        let w = (0..<(n * k)).map { Float($0 % 251) * 1e-3 }
        var y = [Float](repeating: 0, count: t * n)
        let seconds = try x.withUnsafeBufferPointer { x in
            try w.withUnsafeBufferPointer { w in
                try y.withUnsafeMutableBufferPointer { y in
                    try Self.best(5) {
                        try CPUKernels.matmul(x: x, w: w, into: y, tokens: t, inFeatures: k, outFeatures: n)
                    }
                }
            }
        }
        Self.report("matmul T=\(t) K=\(k) N=\(n)", seconds: seconds,
                    bytes: Double(4 * (n * k + t * k + t * n)), flops: Double(2 * t * k * n))
    }

    @Test("attention at Gemma-3 270M sizes (4 query heads, 1 KV head, head dim 256)", arguments: [512, 1])
    func attention(tokens: Int) throws {
        let length = 512, hq = 4, d = 256
        let q = [Float](repeating: 0.01, count: tokens * hq * d)
        let cache = (0..<(length * d)).map { Float($0 % 13) * 0.01 }
        let positions = ((length - tokens)..<length).map { Int32($0) }
        var seconds = Double.infinity
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try CPUKernels.attention(
                q: q, keys: cache, values: cache, positions: positions, tokens: tokens, queryHeads: hq, kvHeads: 1,
                headDim: d, cacheCapacity: length, cacheLength: length, scale: 1 / 16)
            seconds = min(seconds, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        // Each (token, head) visits p + 1 keys: dot + weighted sum = 4·D flops per key.
        let keysVisited = positions.reduce(0) { $0 + Int($1) + 1 } * hq
        Self.report("attention T=\(tokens) L=\(length)", seconds: seconds,
                    bytes: Double(4 * 2 * length * d), flops: Double(4 * d * keysVisited))
    }
}
