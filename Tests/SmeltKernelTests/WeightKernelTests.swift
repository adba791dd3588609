import Testing
import SmeltCodegen
import SmeltIR
import SmeltModels
import SmeltVulkan

/// Every weight kernel against SmeltModels' CPU dequantization followed by
/// CPUKernels.matmul, on random valid blocks, under the validation layers.
@Suite struct WeightKernelTests {
    static let dtypes: [DType] = [.f32, .f16, .q8_0, .q5_0, .q4_0, .q4_k, .q5_k, .q6_k]

    /// Row lengths: one with a block count that is a multiple of the
    /// kernels' grouping and one that is not (20 blocks of 32) where the
    /// format allows it.
    static func colsCases(_ dtype: DType) -> [Int] {
        dtype.blockSize == 256 ? [256, 512] : [256, 640]
    }

    /// Decode matvec: 64 rows (whole workgroups) and 33 (a partial one), each
    /// with 1, 2 and 4 rows per invocation (33 leaves the last invocation
    /// rows past the end, which it must not store).
    @Test(arguments: dtypes)
    func matvec(dtype: DType) throws {
        try withValidatedDevice { device in
            for ((rows, cols), perInvocation) in zip([64, 33], Self.colsCases(dtype)).flatMap({ shape in
                [1, 2, 4].map { (shape, $0) }
            }) {
                let tensor = randomWeight(dtype, rows: rows, cols: cols, seed: UInt64(rows * cols))
                let x = randomVector(count: cols, seed: 7)
                let packed = try packWeight(tensor, for: .rowPerInvocation)
                let spec = try WeightKernels.matvecSpec(dtype: dtype, rows: rows, cols: cols,
                                                        rowsPerInvocation: perInvocation)
                let y = try runWeightKernel(device, spec: spec, packed: packed, windows: [0..<rows], x: x,
                                            count: 1, maxTokens: 1, yInitial: [Float](repeating: .nan, count: rows + 4))
                try expectClose(y, tensor: tensor, x: x, tokens: 1, "\(dtype) \(rows)×\(cols) ×\(perInvocation)")
                let untouched = y[rows...].allSatisfy { $0.isNaN }
                #expect(untouched, "\(dtype): wrote past the last row")
            }
        }
    }

    /// A matrix bound as three row windows (as one too big for a binding
    /// would be) and accumulated into y.
    @Test(arguments: dtypes)
    func splitAccumulatingMatvec(dtype: DType) throws {
        try withValidatedDevice { device in
            let rows = 70, cols = Self.colsCases(dtype)[0]
            let tensor = randomWeight(dtype, rows: rows, cols: cols, seed: 99)
            let x = randomVector(count: cols, seed: 8)
            let packed = try packWeight(tensor, for: .rowPerInvocation)
            let windows = try packed.rowWindows(maxBytes: 30 * packed.rowStride)
            #expect(windows == [0..<30, 30..<60, 60..<70], "windows")
            let spec = try WeightKernels.matvecSpec(dtype: dtype, rows: rows, cols: cols, accumulate: true)
            let y0 = randomVector(count: rows, seed: 9)
            let y = try runWeightKernel(device, spec: spec, packed: packed, windows: windows, x: x,
                                        count: 1, maxTokens: 1, yInitial: y0)
            try expectClose(zip(y, y0).map { $0 - $1 }, tensor: tensor, x: x, tokens: 1, "\(dtype) split",
                            slack: y0.map(abs))
        }
    }

    /// Prefill: dispatched for 64 tokens with control.count = 1, 5 and 64;
    /// outputs of tokens past the count stay untouched. Tiles of 8 tokens
    /// (x through a uniform buffer, an early exit past the count) and of 4
    /// and 2 (x staged in shared memory, the loop unrolled, no early exit:
    /// tiles wholly past the count compute and store nothing).
    @Test(arguments: dtypes, [8, 4, 2])
    func matmul(dtype: DType, tile: Int) throws {
        try withValidatedDevice { device in
            let rows = 33, cols = Self.colsCases(dtype)[tile == 8 ? 1 : 0], maxTokens = 64
            let tensor = randomWeight(dtype, rows: rows, cols: cols, seed: 5)
            let x = randomVector(count: maxTokens * cols, seed: 6)
            let packed = try packWeight(tensor, for: .rowPerInvocation)
            let spec = try WeightKernels.matmulSpec(dtype: dtype, rows: rows, cols: cols, tokensPerInvocation: tile)
            let staged = spec.parameters["STAGE_X"] == "1" && spec.parameters["GUARD"] == ""
            #expect(staged == (tile < 8), "\(spec.name)")
            let pipeline = try ComputePipeline(device: device, description: try pipelineDescription(for: spec))
            for count in [1, 5, 64] {
                let y = try runWeightKernel(device, spec: spec, pipeline: pipeline, packed: packed, windows: [0..<rows], x: x,
                                            count: count, maxTokens: maxTokens,
                                            yInitial: [Float](repeating: .nan, count: maxTokens * rows))
                try expectClose(Array(y[0..<(count * rows)]), tensor: tensor, x: x, tokens: count,
                                "\(dtype) tile \(tile) T=\(count)")
                let untouched = y[(count * rows)...].allSatisfy { $0.isNaN }
                #expect(untouched, "\(dtype) tile \(tile) T=\(count): wrote past the count")
            }
        }
    }

    /// Gemma-3's prefill tiles: staged 4 tokens where x fits, then 2.
    @Test func prefillTileChoice() {
        #expect(WeightKernels.prefillTile(chunk: 64, cols: 640, maxUniformBufferRange: 65536) == 4)
        #expect(WeightKernels.prefillTile(chunk: 64, cols: 2048, maxUniformBufferRange: 65536) == 2)
        #expect(WeightKernels.prefillTile(chunk: 64, cols: 8192, maxUniformBufferRange: 65536) == 2)
        #expect(WeightKernels.prefillTile(chunk: 6, cols: 640, maxUniformBufferRange: 65536) == 2)
        #expect(WeightKernels.prefillTile(chunk: 64, cols: 32768, maxUniformBufferRange: 65536) == nil)
    }

    /// Compares with the oracle within `tolerance` (plus the rounding of an
    /// accumulated start value, `slack`).
    func expectClose(_ y: [Float], tensor: WeightTensor, x: [Float], tokens: Int, _ what: String,
                     slack: [Float] = []) throws {
        let (expected, magnitude) = try reference(tensor, x: x, tokens: tokens)
        var worst = 0
        for i in expected.indices {
            let bound = tolerance(cols: tensor.rowLength, magnitude: magnitude[i])
                + (slack.isEmpty ? 0 : 2 * 0x1p-24 * (slack[i] + abs(y[i])))
            let err = abs(y[i] - expected[i])
            if !(err <= bound) {
                worst += 1
                if worst <= 3 { Issue.record("\(what): y[\(i)] = \(y[i]), expected \(expected[i]) ± \(bound)") }
            }
        }
        #expect(worst == 0, "\(what): \(worst) of \(expected.count) outputs off")
    }
}
