import Testing
import SmeltIR

@Suite struct ConfigTests {
    @Test func tinyLlamaLoads() throws {
        let config = try ModelConfig.load(path: repoPath("configs/models/tiny-llama.yaml"))
        #expect(config.name == "tiny-llama")
        #expect(config.weights == .synthetic(seed: 42))
        #expect(config.hyperparameters.nLayers == 2)
        #expect(config.graphPath == repoPath("Graphs/llama.graph"))
        #expect(config.environment.config("head_dim") == .int(16))
    }

    @Test func unknownKeyIsAnError() {
        let yaml = "name: x\ngraph: g.graph\nweights: {synthetic: {seed: 1}}\nhyperparameters:\n  n_layer: 2\n"
        #expect(errorText { _ = try decodeYAML(ModelConfig.self, from: yaml, file: "m.yaml") }
                == "m.yaml at 'hyperparameters.n_layer': unknown key 'n_layer' (did you mean 'n_layers'?)")
    }

    @Test func wrongTypeNamesThePath() {
        let yaml = "name: x\ngraph: g.graph\nweights: {synthetic: {seed: 1}}\nhyperparameters:\n  n_layers: two\n"
        #expect(errorText { _ = try decodeYAML(ModelConfig.self, from: yaml, file: "m.yaml") }
                == "m.yaml: 'hyperparameters.n_layers' must be an integer")
    }

    @Test func missingKeyIsNamed() {
        #expect(errorText { _ = try decodeYAML(ModelConfig.self, from: "name: x\nweights: {synthetic: {seed: 1}}\n", file: "m.yaml") }
                == "m.yaml: missing key 'graph'")
    }

    @Test func weightsNeedExactlyOneSource() {
        let yaml = "name: x\ngraph: g\nweights: {gguf: a.gguf, safetensors: b}\n"
        #expect(errorText { _ = try decodeYAML(ModelConfig.self, from: yaml, file: "m.yaml") }
                == "m.yaml at 'weights': give exactly one of gguf, safetensors, synthetic")
    }

    @Test func missingFile() {
        #expect(errorText { _ = try ModelConfig.load(path: "/nonexistent/x.yaml") }
                == "/nonexistent/x.yaml: cannot read the model config (no such file?)")
    }
}

@Suite struct DeviceProfileTests {
    @Test func lavapipeProfileMatchesTheBuiltIn() throws {
        #expect(try DeviceProfile.load(path: repoPath("configs/devices/lavapipe.yaml")) == .lavapipe)
    }

    @Test func badProfilesAreNamed() {
        #expect(errorText { _ = try decodeYAML(DeviceProfile.self, from: "name: x\nmax_storage_buffer_range: 1\n", file: "d.yaml") }
                == "d.yaml at 'max_storage_buffer_range': must be at least 65536")
        #expect(errorText { _ = try decodeYAML(DeviceProfile.self, from: "name: x\nmax_storage_buffer_range: 70000\nsubgroup: 8\n", file: "d.yaml") }
                == "d.yaml at 'subgroup': unknown key 'subgroup' (did you mean 'subgroup_size'?)")
        #expect(errorText { _ = try decodeYAML(DeviceProfile.self, from: "name: x\nmax_storage_buffer_range: 70000\n"
                                                   + "attention_lanes: rows\n", file: "d.yaml") }
                == "d.yaml at 'attention_lanes': 'rows' is not one of keys, queries")
    }

    /// The attention kernel a profile picks: keys in the lanes unless it says
    /// queries (lavapipe does).
    @Test func attentionLanesDefaultToKeys() throws {
        let plain = try decodeYAML(DeviceProfile.self, from: "name: x\nmax_storage_buffer_range: 70000\n", file: "d.yaml")
        #expect(plain.attentionLanes == .keys && DeviceProfile.lavapipe.attentionLanes == .queries)
    }
}
