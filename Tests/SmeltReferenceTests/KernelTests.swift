import Foundation
import Testing
@testable import SmeltReference

@Suite("CPU kernels: norms, RoPE, softmax, activations, embedding")
struct KernelTests {
    // MARK: RMSNorm

    @Test("RMSNorm of [1, 2, 3, 4]: mean square 7.5")
    func rmsNormHandWorked() throws {
        let eps: Float = 1e-6
        let weight: [Float] = [0.5, 1, 1.5, 2]
        let out = try CPUKernels.rmsNorm([1, 2, 3, 4], weight: weight, rows: 1, dim: 4, eps: eps)
        let rms = (7.5 + Double(eps)).squareRoot()  // (1 + 4 + 9 + 16) / 4
        expectClose(out, [1 / rms * 0.5, 2 / rms * 1, 3 / rms * 1.5, 4 / rms * 2])
    }

    @Test("RMSNorm normalizes each row separately and applies the weight offset")
    func rmsNormRowsAndOffset() throws {
        // Row 2 is row 1 times 10: normalization removes the factor.
        let x: [Float] = [1, -2, 2, 1, 10, -20, 20, 10]
        let out = try CPUKernels.rmsNorm(x, weight: [0, 1, -0.5, 2], rows: 2, dim: 4, eps: 0, weightOffset: 1)
        let rms = 2.5.squareRoot()  // (1 + 4 + 4 + 1) / 4
        let row = [1 / rms * 1, -2 / rms * 2, 2 / rms * 0.5, 1 / rms * 3]
        expectClose(out, row + row)
    }

    @Test("RMSNorm may write over its input")
    func rmsNormInPlace() throws {
        var x: [Float] = [3, 4]
        let weight: [Float] = [1, 1]
        try x.withUnsafeMutableBufferPointer { buffer in
            try weight.withUnsafeBufferPointer { w in
                try CPUKernels.rmsNorm(x: UnsafeBufferPointer(buffer), weight: w, into: buffer, rows: 1, dim: 2, eps: 0)
            }
        }
        let rms = 12.5.squareRoot()
        expectClose(x, [3 / rms, 4 / rms])
    }

    @Test("RMSNorm names a short weight")
    func rmsNormShapeError() {
        #expect(throws: KernelError.shapeMismatch(kernel: "rms_norm", operand: "weight", shape: "[dim=4]", expected: 4, actual: 3)) {
            try CPUKernels.rmsNorm([1, 2, 3, 4], weight: [1, 1, 1], rows: 1, dim: 4, eps: 1e-6)
        }
    }

    // MARK: RoPE

    /// One token, headDim 4, theta 1e4: pair 0 turns by `p` radians, pair 1
    /// by `p · 1e4^(-2/4) = p / 100`.
    @Test("NEOX RoPE rotates (i, i + D/2) at positions 1 and 2")
    func ropeNeox() throws {
        var x: [Float] = [1, 2, 3, 4, 1, 2, 3, 4]
        try CPUKernels.rope(&x, positions: [1, 2], tokens: 2, heads: 1, headDim: 4, theta: 10_000, style: .neox)
        func expected(_ p: Double) -> [Double] {
            let (a, b) = (p, p / 100)
            return [1 * cos(a) - 3 * sin(a), 2 * cos(b) - 4 * sin(b), 1 * sin(a) + 3 * cos(a), 2 * sin(b) + 4 * cos(b)]
        }
        expectClose(x, expected(1) + expected(2))
    }

    @Test("normal (GPT-J) RoPE rotates (2i, 2i + 1) at positions 1 and 2")
    func ropeNormal() throws {
        var x: [Float] = [1, 2, 3, 4, 1, 2, 3, 4]
        try CPUKernels.rope(&x, positions: [1, 2], tokens: 2, heads: 1, headDim: 4, theta: 10_000, style: .normal)
        func expected(_ p: Double) -> [Double] {
            let (a, b) = (p, p / 100)
            return [1 * cos(a) - 2 * sin(a), 1 * sin(a) + 2 * cos(a), 3 * cos(b) - 4 * sin(b), 3 * sin(b) + 4 * cos(b)]
        }
        expectClose(x, expected(1) + expected(2))
    }

    @Test("RoPE: every head of a token turns alike; partial rotary leaves the tail; freqScale scales positions")
    func ropeHeadsPartialAndScale() throws {
        // headDim 6, rotaryDim 4: dims 4 and 5 pass through. Position 4 with
        // freqScale 0.25 must equal position 1 unscaled.
        var x: [Float] = [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 7, 8]
        try CPUKernels.rope(&x, positions: [4], tokens: 1, heads: 2, headDim: 6, theta: 10_000,
                            rotaryDim: 4, style: .neox, freqScale: 0.25)
        let turned = [cos(1) - 3 * sin(1), 2 * cos(0.01) - 4 * sin(0.01), sin(1) + 3 * cos(1), 2 * sin(0.01) + 4 * cos(0.01)]
        expectClose(x, turned + [5, 6] + turned + [7, 8])
    }

    @Test("RoPE at a large position with theta 1e6 keeps fp32 accuracy")
    func ropeLargePosition() throws {
        let d = 256, p = 30_000
        var data = TestData(seed: 7)
        let original = data.array(d)
        var x = original
        try CPUKernels.rope(&x, positions: [Int32(p)], tokens: 1, heads: 1, headDim: d, theta: 1_000_000, style: .neox)
        var expected = [Double](repeating: 0, count: d)
        for i in 0..<(d / 2) {
            let angle = Double(p) * pow(1_000_000, -2 * Double(i) / Double(d))
            let a = Double(original[i]), b = Double(original[i + d / 2])
            expected[i] = a * cos(angle) - b * sin(angle)
            expected[i + d / 2] = a * sin(angle) + b * cos(angle)
        }
        expectClose(x, expected, absolute: 1e-6, relative: 1e-5)
    }

    @Test("RoPE rejects an odd rotary dimension and a negative position")
    func ropeErrors() {
        var x: [Float] = [1, 2, 3, 4]
        #expect(throws: KernelError.self) {
            try CPUKernels.rope(&x, positions: [0], tokens: 1, heads: 1, headDim: 4, theta: 1e4, rotaryDim: 3, style: .neox)
        }
        #expect(throws: KernelError.positionOutOfRange(kernel: "rope", index: 0, position: -1, limit: Int(Int32.max))) {
            try CPUKernels.rope(&x, positions: [-1], tokens: 1, heads: 1, headDim: 4, theta: 1e4, style: .neox)
        }
    }

    // MARK: Softmax

    @Test("softmax of [1, 2, 3]")
    func softmaxHandWorked() throws {
        let z = exp(1.0) + exp(2.0) + exp(3.0)
        expectClose(try CPUKernels.softmax([1, 2, 3]), [exp(1) / z, exp(2) / z, exp(3) / z])
    }

    @Test("softmax is stable for large logits and gives masked entries 0")
    func softmaxStable() throws {
        let e = exp(1.0)
        expectClose(try CPUKernels.softmax([1000, 1001, -.infinity]), [1 / (1 + e), e / (1 + e), 0])
        #expect(throws: KernelError.self) { try CPUKernels.softmax([-.infinity, -.infinity]) }
    }

    // MARK: Activations

    static let activationInputs: [Float] = [-3, -1, -0.5, 0, 0.5, 1, 3]

    static func geluTanhDouble(_ x: Double) -> Double {
        0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }

    @Test("GELU-tanh follows its formula and stays within 1e-3 of exact GELU")
    func geluTanh() {
        let out = CPUKernels.geluTanh(Self.activationInputs)
        expectClose(out, Self.activationInputs.map { Self.geluTanhDouble(Double($0)) })
        // Exact GELU x·Φ(x) = x·(1 + erf(x/√2))/2: the tanh form approximates it.
        expectClose(out, Self.activationInputs.map { Double($0) * (1 + erf(Double($0) / 2.squareRoot())) / 2 },
                    absolute: 1e-3, relative: 0)
    }

    @Test("SiLU: x·sigmoid(x); silu(1) = 0.7310585786")
    func silu() {
        let out = CPUKernels.silu(Self.activationInputs)
        expectClose(out, Self.activationInputs.map { Double($0) / (1 + exp(-Double($0))) })
        #expect(abs(CPUKernels.silu(Float(1)) - 0.731_058_578_6) < 1e-7)
    }

    @Test("gated MLP activations: GeGLU and SwiGLU on small numbers")
    func gated() throws {
        let gate: [Float] = [-1, 0, 1, 2], up: [Float] = [2, 3, 4, -5]
        let pairs = zip(gate.map(Double.init), up.map(Double.init))
        expectClose(try CPUKernels.gatedGeluTanh(gate: gate, up: up), pairs.map { Self.geluTanhDouble($0) * $1 })
        expectClose(try CPUKernels.gatedSilu(gate: gate, up: up), pairs.map { $0 / (1 + exp(-$0)) * $1 })
        #expect(throws: KernelError.self) { try CPUKernels.gatedSilu(gate: gate, up: [1, 2]) }
    }

    @Test("add, mul, scale")
    func elementwise() throws {
        #expect(try CPUKernels.add([1, 2, 3], [10, 20, 30]) == [11, 22, 33])
        #expect(try CPUKernels.mul([1, 2, 3], [10, 20, -30]) == [10, 40, -90])
        #expect(CPUKernels.scale([1, -2, 0.5], by: 4) == [4, -8, 2])
        #expect(throws: KernelError.shapeMismatch(
            kernel: "add", operand: "second operand", shape: "[n=3] (the first operand's length)", expected: 3, actual: 2)
        ) { try CPUKernels.add([1, 2, 3], [1, 2]) }
    }

    @Test("element-wise pointer forms may write over an input")
    func elementwiseInPlace() throws {
        var x: [Float] = [-1, 0.5, 2]
        let b: [Float] = [1, 2, 3]
        try x.withUnsafeMutableBufferPointer { buffer in
            let input = UnsafeBufferPointer(buffer)
            try CPUKernels.scale(input, by: 2, into: buffer)  // [-2, 1, 4]
            try b.withUnsafeBufferPointer { try CPUKernels.add(input, $0, into: buffer) }  // [-1, 3, 7]
            try CPUKernels.silu(input, into: buffer)
            try CPUKernels.geluTanh(input, into: buffer)
        }
        let expected = [-1.0, 3, 7].map { Self.geluTanhDouble($0 / (1 + exp(-$0))) }
        expectClose(x, expected)
        var short = [Float](repeating: 0, count: 2)
        #expect(throws: KernelError.self) {
            try b.withUnsafeBufferPointer { b in
                try short.withUnsafeMutableBufferPointer { try CPUKernels.silu(b, into: $0) }
            }
        }
    }

    // MARK: Embedding

    @Test("embedding gathers rows by id")
    func embedding() throws {
        let table: [Float] = [0, 1, 10, 11, 20, 21]
        #expect(try CPUKernels.embeddingLookup(table: table, ids: [2, 0, 2], vocabSize: 3, dim: 2) == [20, 21, 0, 1, 20, 21])
    }

    @Test("embedding names an out-of-range id and its index")
    func embeddingBadId() {
        let table: [Float] = [0, 1, 10, 11, 20, 21]
        #expect(throws: KernelError.tokenOutOfRange(id: 3, index: 1, vocabSize: 3)) {
            try CPUKernels.embeddingLookup(table: table, ids: [0, 3], vocabSize: 3, dim: 2)
        }
        #expect(throws: KernelError.tokenOutOfRange(id: -1, index: 0, vocabSize: 3)) {
            try CPUKernels.embeddingLookup(table: table, ids: [-1], vocabSize: 3, dim: 2)
        }
        #expect(KernelError.tokenOutOfRange(id: 3, index: 1, vocabSize: 3).description.contains("token id 3"))
    }
}
