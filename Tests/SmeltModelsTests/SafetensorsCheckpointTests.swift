import Foundation
import SmeltModels
import Testing

/// Checkpoint directories (single file, sharded with an index, sharded
/// without one) and `config.json` decoding.
@Suite struct SafetensorsCheckpointTests {
    /// A fresh temporary directory holding `files`.
    static func directory(_ files: [String: [UInt8]]) throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("smelt-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, bytes) in files {
            try Data(bytes).write(to: dir.appendingPathComponent(name))
        }
        return dir.path
    }

    static func shard(_ tensors: [(String, [Float])]) -> [UInt8] {
        var data: [UInt8] = []
        var entries: [String] = []
        for (name, values) in tensors {
            let begin = data.count
            data += values.flatMap(SafetensorsTests.le32)
            entries.append(#""\#(name)":{"dtype":"F32","shape":[\#(values.count)],"data_offsets":[\#(begin),\#(data.count)]}"#)
        }
        return SafetensorsTests.file(header: "{" + entries.joined(separator: ",") + "}", data: data)
    }

    static let config = Array("""
        {"architectures":["Gemma3ForCausalLM"],"model_type":"gemma3_text","hidden_size":640,
         "num_hidden_layers":18,"num_attention_heads":4,"num_key_value_heads":1,"head_dim":256,
         "intermediate_size":2048,"vocab_size":262144,"rms_norm_eps":1e-06,"rope_theta":1000000.0,
         "rope_local_base_freq":10000.0,"max_position_embeddings":32768,"sliding_window":512,
         "tie_word_embeddings":true,"query_pre_attn_scalar":256,"hidden_activation":"gelu_pytorch_tanh",
         "final_logit_softcapping":null,"layer_types":["sliding_attention","full_attention"],
         "rope_scaling":null,"unknown_future_field":{"x":1}}
        """.utf8)

    @Test func singleFileWithConfig() throws {
        let dir = try Self.directory(["model.safetensors": Self.shard([("w", [1, 2]), ("v", [3])]),
                                      "config.json": Self.config])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = try SafetensorsCheckpoint(directory: dir)
        #expect(c.tensorNames == ["w", "v"])
        #expect(try c.tensor(named: "v").dequantized() == [3])
        let cfg = try #require(c.config)
        #expect(cfg.modelType == "gemma3_text" && cfg.architectures == ["Gemma3ForCausalLM"])
        #expect(cfg.hiddenSize == 640 && cfg.numHiddenLayers == 18 && cfg.numAttentionHeads == 4)
        #expect(cfg.numKeyValueHeads == 1 && cfg.headDim == 256 && cfg.intermediateSize == 2048)
        #expect(cfg.vocabSize == 262_144 && cfg.rmsNormEps == 1e-6 && cfg.ropeTheta == 1e6)
        #expect(cfg.ropeLocalBaseFreq == 1e4 && cfg.maxPositionEmbeddings == 32768 && cfg.slidingWindow == 512)
        #expect(cfg.tieWordEmbeddings == true && cfg.queryPreAttnScalar == 256)
        #expect(cfg.hiddenActivation == "gelu_pytorch_tanh" && cfg.finalLogitSoftcapping == nil)
        #expect(cfg.layerTypes == ["sliding_attention", "full_attention"])
    }

    @Test func shardsWithIndexAreUnited() throws {
        let index = Array(#"""
            {"metadata":{"total_size":16},"weight_map":{"a":"model-00001-of-00002.safetensors",
             "b":"model-00001-of-00002.safetensors","c":"model-00002-of-00002.safetensors"}}
            """#.utf8)
        let dir = try Self.directory([
            "model-00001-of-00002.safetensors": Self.shard([("a", [1]), ("b", [2, 3])]),
            "model-00002-of-00002.safetensors": Self.shard([("c", [4])]),
            "model.safetensors.index.json": index,
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = try SafetensorsCheckpoint(directory: dir)
        #expect(c.shards.count == 2 && c.config == nil)
        #expect(c.tensorNames == ["a", "b", "c"])
        #expect(try c.tensor(named: "b").dequantized() == [2, 3])
        #expect(try c.tensor(named: "c").dequantized() == [4])
        #expect(throws: SafetensorsError.self) { try c.tensor(named: "d") }
    }

    @Test func shardsWithoutIndexAreFoundByName() throws {
        let dir = try Self.directory([
            "model-00002-of-00002.safetensors": Self.shard([("y", [2])]),
            "model-00001-of-00002.safetensors": Self.shard([("x", [1])]),
            "notes.safetensors.txt": [1, 2, 3],
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try SafetensorsCheckpoint(directory: dir).tensorNames == ["x", "y"])
    }

    @Test func inconsistentCheckpointsAreRefused() throws {
        func message(_ files: [String: [UInt8]]) throws -> String? {
            let dir = try Self.directory(files)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            do {
                _ = try SafetensorsCheckpoint(directory: dir)
                return nil
            } catch let e as SafetensorsError {
                return e.description
            }
        }
        let dup = try message(["model-00001-of-00002.safetensors": Self.shard([("x", [1])]),
                               "model-00002-of-00002.safetensors": Self.shard([("x", [2])])])
        #expect(dup?.contains("'x'") == true && dup?.contains("both") == true)

        let wrongShard = try message([
            "model-00001-of-00001.safetensors": Self.shard([("x", [1])]),
            "model.safetensors.index.json": Array(#"{"weight_map":{"x":"model-00001-of-00001.safetensors","z":"model-00001-of-00001.safetensors"}}"#.utf8),
        ])
        #expect(wrongShard?.contains("'z'") == true)

        let escape = try message(["model.safetensors.index.json": Array(#"{"weight_map":{"x":"../evil.safetensors"}}"#.utf8)])
        #expect(escape?.contains("../evil.safetensors") == true)

        let empty = try message([:])
        #expect(empty?.contains("no model.safetensors") == true)

        let badConfig = try message(["model.safetensors": Self.shard([("x", [1])]),
                                     "config.json": Array(#"{"hidden_size":"big"}"#.utf8)])
        #expect(badConfig?.contains("hidden_size") == true)
    }

    @Test func textConfigFillsMissingFields() throws {
        let json = Data(#"""
            {"model_type":"gemma3","architectures":["Gemma3ForConditionalGeneration"],
             "text_config":{"model_type":"gemma3_text","hidden_size":2560,"num_hidden_layers":34,"rope_theta":1000000.0}}
            """#.utf8)
        let cfg = try HFConfig(json: json)
        #expect(cfg.modelType == "gemma3")          // top level wins
        #expect(cfg.hiddenSize == 2560 && cfg.numHiddenLayers == 34 && cfg.ropeTheta == 1e6)
        #expect(cfg.vocabSize == nil)
    }
}
