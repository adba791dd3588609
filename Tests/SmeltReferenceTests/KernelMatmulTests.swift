import Testing
@testable import SmeltReference

@Suite("CPU kernel: matmul")
struct KernelMatmulTests {
    /// y[t, n] = Σ_k x[t, k]·w[n, k], in Double, with the largest rounding
    /// error an fp32 sum of these terms can reasonably have.
    static func naive(_ x: [Float], _ w: [Float], t: Int, k: Int, n: Int) -> (y: [Double], bound: [Double]) {
        var y = [Double](repeating: 0, count: t * n), bound = y
        for i in 0..<t {
            for j in 0..<n {
                var sum = 0.0, magnitude = 0.0
                for l in 0..<k {
                    let term = Double(x[i * k + l]) * Double(w[j * k + l])
                    sum += term
                    magnitude += abs(term)
                }
                y[i * n + j] = sum
                bound[i * n + j] = magnitude * Double(k + 2) * 0x1p-24 + 1e-30
            }
        }
        return (y, bound)
    }

    @Test("hand-worked 2×3 · (2×3)ᵀ")
    func handWorked() throws {
        // x = [[1, 2, 3], [4, 5, 6]], w rows [1, 0, -1] and [0.5, 0.5, 0.5].
        let y = try CPUKernels.matmul([1, 2, 3, 4, 5, 6], [1, 0, -1, 0.5, 0.5, 0.5], tokens: 2, inFeatures: 3, outFeatures: 2)
        #expect(y == [-2, 3, -2, 7.5])
    }

    @Test("matches a naive triple loop", arguments: [
        (1, 1, 1), (1, 7, 5), (2, 9, 3), (3, 8, 4), (4, 16, 2), (5, 13, 9), (7, 33, 11),
        (9, 100, 37), (1, 640, 10), (12, 17, 6), (6, 64, 3000), (1, 64, 40_000),
    ])
    func againstNaive(shape: (Int, Int, Int)) throws {
        let (t, k, n) = shape
        var data = TestData(seed: UInt64(t * 1_000_003 + k * 1009 + n))
        let x = data.array(t * k), w = data.array(n * k)
        let y = try CPUKernels.matmul(x, w, tokens: t, inFeatures: k, outFeatures: n)
        let (expected, bound) = Self.naive(x, w, t: t, k: k, n: n)
        var bad = 0
        for i in expected.indices where abs(Double(y[i]) - expected[i]) > bound[i] { bad += 1 }
        #expect(bad == 0, "\(bad) of \(expected.count) outputs outside fp32 rounding of the exact sum")
    }

    @Test("a prefill row equals that token's matvec bit for bit")
    func tilingDoesNotChangeResults() throws {
        let t = 7, k = 45, n = 13
        var data = TestData(seed: 99)
        let x = data.array(t * k), w = data.array(n * k)
        let all = try CPUKernels.matmul(x, w, tokens: t, inFeatures: k, outFeatures: n)
        for i in 0..<t {
            let row = try CPUKernels.matmul(Array(x[(i * k)..<((i + 1) * k)]), w, tokens: 1, inFeatures: k, outFeatures: n)
            #expect(Array(all[(i * n)..<((i + 1) * n)]) == row, "token \(i)")
        }
    }

    @Test("an empty inner dimension gives zeros")
    func emptyInner() throws {
        #expect(try CPUKernels.matmul([], [], tokens: 2, inFeatures: 0, outFeatures: 3) == [0, 0, 0, 0, 0, 0])
    }

    @Test("a wrong-sized weight is reported by name, not trapped")
    func shapeErrors() {
        #expect(throws: KernelError.shapeMismatch(
            kernel: "matmul", operand: "w", shape: "[N (outFeatures)=2, K (inFeatures)=3]", expected: 6, actual: 5)
        ) {
            try CPUKernels.matmul([1, 2, 3], [1, 2, 3, 4, 5], tokens: 1, inFeatures: 3, outFeatures: 2)
        }
        #expect(throws: KernelError.self) {
            try CPUKernels.matmul([], [], tokens: -1, inFeatures: 3, outFeatures: 2)
        }
    }
}
