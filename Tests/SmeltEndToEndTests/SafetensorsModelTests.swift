import Foundation
import Testing
import SmeltEngine
import SmeltIR
import SmeltModels

/// A Hugging Face checkpoint runs on the same graph as GGUF names: the
/// tiny-llama weights, renamed to HF names with q/k rows in HF's
/// rotate-half order, written as safetensors, must give the same logits.
@Suite struct SafetensorsModelTests {
    @Test func hfCheckpointMatchesTheGGUFNamedModel() throws {
        let tiny = try ModelLoader.load(repoPath("configs/models/tiny-llama.yaml"))
        let h = tiny.config.hyperparameters
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smelt-hf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)

        var tensors: [(String, [Int], [Float])] = []
        for name in tiny.store.tensorNames {
            let tensor = try tiny.store.tensor(named: name)
            var values = try tensor.dequantized()
            let heads = name.hasSuffix("attn_q.weight") ? h.nHeads! : name.hasSuffix("attn_k.weight") ? h.nKVHeads! : 0
            if heads > 0 { values = toRotateHalfOrder(values, rows: tensor.rowCount, cols: tensor.rowLength, heads: heads) }
            tensors.append((hfName(name), tensor.shape, values))
        }
        try writeSafetensors(tensors, to: dir.appendingPathComponent("model.safetensors"))
        let config = """
        {"model_type": "llama", "hidden_size": \(h.dModel!), "num_hidden_layers": \(h.nLayers!),
         "num_attention_heads": \(h.nHeads!), "num_key_value_heads": \(h.nKVHeads!), "head_dim": \(h.headDim!),
         "intermediate_size": \(h.ffnDim!), "vocab_size": \(h.vocabSize!), "rms_norm_eps": \(h.rmsEps!),
         "rope_theta": \(h.ropeTheta!)}
        """
        try config.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let yaml = "name: tiny-hf\ngraph: \(repoPath("Graphs/llama.graph"))\nweights:\n  safetensors: \(dir.path)\ncontext_length: 64\n"
        let yamlPath = dir.appendingPathComponent("tiny-hf.yaml").path
        try yaml.write(toFile: yamlPath, atomically: true, encoding: .utf8)

        let hf = try ModelLoader.load(yamlPath)
        let tokens: [Int32] = [1, 9, 77, 200]
        let expected = try tiny.referenceModel().makeSession().step(tokens, rows: .all)
        let actual = try hf.referenceModel().makeSession().step(tokens, rows: .all)
        #expect(actual == expected)
    }

    func hfName(_ gguf: String) -> String {
        let direct = ["token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight",
                      "output.weight": "lm_head.weight"]
        if let name = direct[gguf] { return name }
        let parts = gguf.split(separator: ".", maxSplits: 2)
        let table = ["attn_norm.weight": "input_layernorm.weight", "attn_q.weight": "self_attn.q_proj.weight",
                     "attn_k.weight": "self_attn.k_proj.weight", "attn_v.weight": "self_attn.v_proj.weight",
                     "attn_output.weight": "self_attn.o_proj.weight", "ffn_norm.weight": "post_attention_layernorm.weight",
                     "ffn_gate.weight": "mlp.gate_proj.weight", "ffn_up.weight": "mlp.up_proj.weight",
                     "ffn_down.weight": "mlp.down_proj.weight"]
        return "model.layers.\(parts[1]).\(table[String(parts[2])]!)"
    }

    /// Within each head, interleaved pair (2i, 2i + 1) goes to rows (i, i + d/2).
    func toRotateHalfOrder(_ values: [Float], rows: Int, cols: Int, heads: Int) -> [Float] {
        let headDim = rows / heads
        var out = values
        for h in 0..<heads {
            for r in 0..<headDim {
                let target = r % 2 == 0 ? r / 2 : r / 2 + headDim / 2
                for c in 0..<cols { out[(h * headDim + target) * cols + c] = values[(h * headDim + r) * cols + c] }
            }
        }
        return out
    }

    func writeSafetensors(_ tensors: [(String, [Int], [Float])], to url: URL) throws {
        var header: [String] = [], data = Data(), offset = 0
        for (name, shape, values) in tensors {
            let bytes = values.withUnsafeBufferPointer { Data(buffer: $0) }
            header.append("\"\(name)\": {\"dtype\": \"F32\", \"shape\": \(shape), \"data_offsets\": [\(offset), \(offset + bytes.count)]}")
            data.append(bytes)
            offset += bytes.count
        }
        var json = Data(("{" + header.joined(separator: ", ") + "}").utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(data)
        try file.write(to: url)
    }
}
