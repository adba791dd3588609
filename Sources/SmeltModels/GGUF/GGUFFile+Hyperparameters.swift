import SmeltIR

extension GGUFFile {
    /// The model architecture (`general.architecture`), e.g. "gemma3".
    public var architecture: String? { try? string("general.architecture") }

    /// Hyper-parameters the GGUF metadata states, under the architecture's
    /// key prefix (`gemma3.block_count`, ...). Keys the file lacks stay nil.
    public var hyperparameters: Hyperparameters {
        var h = Hyperparameters()
        guard let arch = architecture else { return h }
        func int(_ key: String) -> Int? { try? self.int("\(arch).\(key)") }
        func double(_ key: String) -> Double? { try? self.double("\(arch).\(key)") }
        h.nLayers = int("block_count")
        h.dModel = int("embedding_length")
        h.nHeads = int("attention.head_count")
        h.nKVHeads = int("attention.head_count_kv")
        h.headDim = int("attention.key_length")
        h.ffnDim = int("feed_forward_length")
        h.rmsEps = double("attention.layer_norm_rms_epsilon")
        h.ropeTheta = double("rope.freq_base")
        h.slidingWindow = int("attention.sliding_window")
        h.attnSoftcap = double("attn_logit_softcapping")
        h.finalSoftcap = double("final_logit_softcapping")
        h.vocabSize = int("vocab_size") ?? (try? stringArray("tokenizer.ggml.tokens"))?.count
        return h
    }
}
