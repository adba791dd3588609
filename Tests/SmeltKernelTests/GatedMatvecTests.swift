import Testing
import SmeltCodegen
import SmeltIR
import SmeltModels
import SmeltReference
import SmeltVulkan

/// The gated feed-forward kernel (gate and up rows stored as one matrix,
/// two output rows per invocation) against the CPU: act(gate · x) · (up · x)
/// for each row, with an odd row count so the last invocation's second row
/// lies past the end and must not be stored.
@Suite struct GatedMatvecTests {
    @Test(arguments: [(DType.q8_0, "gelu_tanh"), (.q4_k, "silu"), (.f16, "gelu_tanh")])
    func gatedRowsMatchTheCPU(dtype: DType, activation: String) throws {
        try withValidatedDevice { device in
            let (rows, cols) = (133, 256)
            let tensor = randomWeight(dtype, rows: 2 * rows, cols: cols, seed: 31)
            let x = randomVector(count: cols, seed: 32)
            let spec = try WeightKernels.gatedMatvecSpec(dtype: dtype, rows: rows, cols: cols, activation: activation)
            let y = try runWeightKernel(device, spec: spec, packed: try packWeight(tensor, for: .rowPerInvocation),
                                        windows: [0 ..< 2 * rows], x: x, count: 1, maxTokens: 1,
                                        yInitial: [Float](repeating: .nan, count: rows + 3), pushedRows: rows)
            let (both, magnitude) = try reference(tensor, x: x, tokens: 1)
            let act: (Float) -> Float = activation == "silu" ? CPUKernels.silu : CPUKernels.geluTanh
            for r in 0 ..< rows {
                let (gate, up) = (both[r], both[rows + r])
                let (tg, tu) = (tolerance(cols: cols, magnitude: magnitude[r]),
                                tolerance(cols: cols, magnitude: magnitude[rows + r]))
                // act' is at most ~1.13 for both activations.
                let bound = 1.2 * tg * abs(up) + abs(act(gate)) * tu + tg * tu + 1e-6
                #expect(abs(y[r] - act(gate) * up) <= bound, "\(dtype) \(activation) row \(r)")
            }
            #expect(y[rows...].allSatisfy { $0.isNaN }, "\(dtype): wrote past the last row")
        }
    }
}
