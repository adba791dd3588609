import SmeltIR
import SmeltModels
import Testing

/// Opens the real Gemma-3 270M Q4_K_M file (see ModelPaths) and checks it
/// against the facts in ../shared/reference/README.md.
@Suite(.enabled(if: !ModelPaths.skipModelTests, "SMELT_SKIP_MODEL_TESTS=1"))
struct GGUFModelTests {
    static func open() throws -> GGUFFile? {
        try GGUFFile(path: try ModelPaths.gguf())
    }

    @Test func tensorTableMatchesTheReferenceDescription() throws {
        guard let f = try Self.open() else { return }
        #expect(f.version == 3)
        #expect(try f.string("general.architecture") == "gemma3")
        #expect(f.storage.bytes.count == 253_113_024)
        // 18 layers (globals at 5, 11, 17 imply 18) × 13 tensors + token_embd + output_norm.
        #expect(f.tensors.count == 18 * 13 + 2)

        let embd = try f.tensor(named: "token_embd.weight")
        #expect(embd.dtype == .q8_0 && embd.shape == [262_144, 640])
        #expect(try f.tensor(named: "output_norm.weight").dtype == .f32)
        for layer in 0..<18 {
            func dtype(_ n: String) throws -> DType { try f.tensor(named: "blk.\(layer).\(n).weight").dtype }
            for n in ["attn_norm", "ffn_norm", "attn_q_norm", "attn_k_norm", "post_attention_norm", "post_ffw_norm"] {
                #expect(try dtype(n) == .f32, "blk.\(layer).\(n)")
            }
            for n in ["attn_q", "attn_k", "ffn_gate", "ffn_up"] {
                #expect(try dtype(n) == .q5_0, "blk.\(layer).\(n)")
            }
            #expect(try dtype("attn_output") == .q4_k)
            let v = try dtype("attn_v"), down = try dtype("ffn_down")
            #expect([DType.q8_0, .q5_0].contains(v))
            #expect([DType.q6_k, .q4_k].contains(down))
        }
        // Linear weights are [out, in]: q projects 640 → 4 heads × 256.
        #expect(try f.tensor(named: "blk.0.attn_q.weight").shape == [1024, 640])
        #expect(try f.tensor(named: "blk.0.attn_output.weight").shape == [640, 1024])
        #expect(try f.stringArray("tokenizer.ggml.tokens").count == 262_144)
    }

    @Test func rowsDecodeToPlausibleValues() throws {
        guard let f = try Self.open() else { return }
        for (name, row) in [("token_embd.weight", 2), ("blk.0.attn_q.weight", 7),
                            ("blk.0.attn_output.weight", 3), ("blk.0.ffn_down.weight", 0)] {
            let t = try f.tensor(named: name)
            let values = try t.dequantizeRow(row)
            #expect(values.count == t.rowLength)
            let finite = values.allSatisfy { $0.isFinite }
            #expect(finite, "\(name) row \(row)")
            let maxAbs = values.map(abs).max() ?? 0
            let meanAbs = values.map(abs).reduce(0, +) / Float(values.count)
            // Trained weights: not all zero, nowhere near overflow.
            #expect(maxAbs > 1e-3 && maxAbs < 10, "\(name) row \(row) max |x| = \(maxAbs)")
            #expect(meanAbs > 1e-4 && meanAbs < 1, "\(name) row \(row) mean |x| = \(meanAbs)")
        }
        // The F32 norm weights decode to exactly their stored floats.
        let norm = try f.tensor(named: "output_norm.weight")
        let raw = (0..<640).map { i in
            Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(norm.bytes[4 * i + $1]) << (8 * UInt32($1)) })
        }
        #expect(try norm.dequantized() == raw)
    }
}
