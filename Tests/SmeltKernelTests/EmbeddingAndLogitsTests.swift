import Foundation
import Testing
import SmeltArtifact
import SmeltCodegen
import SmeltIR
import SmeltModels
import SmeltVulkan

/// The embedding lookup and the logits matvec on packed rows, against
/// SmeltModels' CPU dequantization, under the validation layers.
@Suite struct EmbeddingAndLogitsTests {
    /// A window holding rows 4 ..< 8 writes the rows of ids inside it,
    /// exactly, and leaves the others alone.
    @Test(arguments: KernelSpec.embeddingDTypes)
    func embeddingWindowLooksUpOnlyItsRows(dtype: DType) throws {
        try withValidatedDevice { device in
            let (vocab, dim) = (10, 64)
            let tensor = randomWeight(dtype, rows: vocab, cols: dim, seed: 3)
            let packed = try packWeight(tensor, for: .rowPerInvocation)
            let ids: [Int32] = [4, 9, 0, 7]
            let spec = try KernelSpec.embedding(dtype: dtype, cols: dim)
            let allocator = try MemoryAllocator(device: device)
            let table = try allocator.makeBuffer(size: packed.bytes.count, label: "table")
            try table.write(packed.bytes)
            let tokens = try allocator.makeBuffer(size: ids.count * 4, label: "tokens")
            try tokens.write(ids)
            let y = try allocator.makeBuffer(size: ids.count * dim * 4, label: "y")
            try y.write([Float](repeating: -7, count: ids.count * dim))
            var words = [UInt32](repeating: 0, count: ControlBlock.wordCount)
            words[ControlBlock.count] = UInt32(ids.count)
            let control = try allocator.makeBuffer(size: words.count * 4, label: "control")
            try control.write(words)

            let pipeline = try ComputePipeline(device: device, description: try pipelineDescription(for: spec))
            let pool = try DescriptorPool(device: device, maxSets: 1, storageBuffers: 3, uniformTexelBuffers: 1)
            let set = try pool.makeSet(for: pipeline)
            try set.write([0: control.whole, 1: tokens.whole,
                           2: try table.range(offset: 4 * packed.rowStride, size: 4 * packed.rowStride), 3: y.whole])
            let commands = try CommandBuffer(device: device)
            try commands.record { r in
                r.bind(pipeline)
                try r.bind(set)
                try r.pushConstants(spec.encodePushConstants(["rowStart": .uint(4), "rowCount": .uint(4)]))
                try r.dispatch(KernelSpec.embeddingGroups(spec, tokens: ids.count), 1, 1)
                r.barrier(.computeToHost)
            }
            try device.run(commands)
            let out = try y.read(Float.self, count: ids.count * dim)
            #expect(Array(out[0 ..< dim]) == (try tensor.dequantizedRows(4 ..< 5)), "\(dtype) id 4")
            #expect(Array(out[3 * dim ..< 4 * dim]) == (try tensor.dequantizedRows(7 ..< 8)), "\(dtype) id 7")
            #expect(out[dim ..< 3 * dim].allSatisfy { $0 == -7 }, "\(dtype): ids outside the window were written")
        }
    }

    /// Prefill logits read x's row count − 1 and apply the soft-cap; the
    /// decode form reads row 0.
    @Test(arguments: [DType.q8_0, .f16, .q6_k])
    func logitsReadTheLastTokenAndCap(dtype: DType) throws {
        try withValidatedDevice { device in
            let (rows, cols, tokens) = (70, 256, 5)
            let tensor = randomWeight(dtype, rows: rows, cols: cols, seed: 11)
            let packed = try packWeight(tensor, for: .rowPerInvocation)
            let x = randomVector(count: tokens * cols, seed: 12)
            let last = Array(x[(tokens - 1) * cols ..< tokens * cols])
            let (expected, magnitude) = try reference(tensor, x: last, tokens: 1)

            let capped = try WeightKernels.logitsSpec(dtype: dtype, rows: rows, cols: cols, softcap: 3, lastOfCount: true)
            let y = try runWeightKernel(device, spec: capped, packed: packed, windows: [0 ..< rows], x: x,
                                        count: tokens, maxTokens: 1, yInitial: [Float](repeating: .nan, count: rows))
            for i in 0 ..< rows {
                // tanh is 1-Lipschitz: the capped error is at most the uncapped one, plus tanh's own rounding.
                let bound = tolerance(cols: cols, magnitude: magnitude[i]) + 1e-5
                let want = 3 * Foundation.tanh(expected[i] / 3)
                #expect(abs(y[i] - want) <= bound, "\(dtype) capped y[\(i)] = \(y[i]), expected \(want)")
            }

            let plain = try WeightKernels.logitsSpec(dtype: dtype, rows: rows, cols: cols, lastOfCount: false)
            let y0 = try runWeightKernel(device, spec: plain, packed: packed, windows: [0 ..< rows], x: last,
                                         count: tokens, maxTokens: 1, yInitial: [Float](repeating: .nan, count: rows))
            for i in 0 ..< rows {
                #expect(abs(y0[i] - expected[i]) <= tolerance(cols: cols, magnitude: magnitude[i]),
                        "\(dtype) y[\(i)] = \(y0[i]), expected \(expected[i])")
            }
        }
    }
}
