import Foundation

/// The fields of a Hugging Face `config.json` that Smelt uses, all optional
/// (architectures name them differently or leave them out).
///
/// Multimodal checkpoints (e.g. Gemma-3 4B and up) keep the language model's
/// settings under `text_config`; a field missing at the top level is taken
/// from there.
public struct HFConfig: Decodable, Sendable, Equatable {
    public var modelType: String?
    public var architectures: [String]?
    public var hiddenSize: Int?
    public var numHiddenLayers: Int?
    public var numAttentionHeads: Int?
    public var numKeyValueHeads: Int?
    public var headDim: Int?
    public var intermediateSize: Int?
    public var vocabSize: Int?
    public var rmsNormEps: Double?
    public var ropeTheta: Double?
    public var ropeLocalBaseFreq: Double?
    public var maxPositionEmbeddings: Int?
    public var slidingWindow: Int?
    public var slidingWindowPattern: Int?
    public var layerTypes: [String]?
    public var tieWordEmbeddings: Bool?
    public var queryPreAttnScalar: Double?
    public var hiddenActivation: String?
    public var finalLogitSoftcapping: Double?
    public var attnLogitSoftcapping: Double?
    public var torchDtype: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type"
        case architectures
        case hiddenSize = "hidden_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case numKeyValueHeads = "num_key_value_heads"
        case headDim = "head_dim"
        case intermediateSize = "intermediate_size"
        case vocabSize = "vocab_size"
        case rmsNormEps = "rms_norm_eps"
        case ropeTheta = "rope_theta"
        case ropeLocalBaseFreq = "rope_local_base_freq"
        case maxPositionEmbeddings = "max_position_embeddings"
        case slidingWindow = "sliding_window"
        case slidingWindowPattern = "sliding_window_pattern"
        case layerTypes = "layer_types"
        case tieWordEmbeddings = "tie_word_embeddings"
        case queryPreAttnScalar = "query_pre_attn_scalar"
        case hiddenActivation = "hidden_activation"
        case finalLogitSoftcapping = "final_logit_softcapping"
        case attnLogitSoftcapping = "attn_logit_softcapping"
        case torchDtype = "torch_dtype"
        case textConfig = "text_config"
    }

    public init(from decoder: Decoder) throws {
        let top = try decoder.container(keyedBy: CodingKeys.self)
        try fill(from: top)
        if top.contains(.textConfig), (try? top.decodeNil(forKey: .textConfig)) == false {
            let text = try top.nestedContainer(keyedBy: CodingKeys.self, forKey: .textConfig)
            try fill(from: text)
        }
    }

    /// Sets every field still nil from `c`.
    private mutating func fill(from c: KeyedDecodingContainer<CodingKeys>) throws {
        func take<T: Decodable>(_ field: inout T?, _ key: CodingKeys) throws {
            if field == nil { field = try c.decodeIfPresent(T.self, forKey: key) }
        }
        try take(&modelType, .modelType)
        try take(&architectures, .architectures)
        try take(&hiddenSize, .hiddenSize)
        try take(&numHiddenLayers, .numHiddenLayers)
        try take(&numAttentionHeads, .numAttentionHeads)
        try take(&numKeyValueHeads, .numKeyValueHeads)
        try take(&headDim, .headDim)
        try take(&intermediateSize, .intermediateSize)
        try take(&vocabSize, .vocabSize)
        try take(&rmsNormEps, .rmsNormEps)
        try take(&ropeTheta, .ropeTheta)
        try take(&ropeLocalBaseFreq, .ropeLocalBaseFreq)
        try take(&maxPositionEmbeddings, .maxPositionEmbeddings)
        try take(&slidingWindow, .slidingWindow)
        try take(&slidingWindowPattern, .slidingWindowPattern)
        try take(&layerTypes, .layerTypes)
        try take(&tieWordEmbeddings, .tieWordEmbeddings)
        try take(&queryPreAttnScalar, .queryPreAttnScalar)
        try take(&hiddenActivation, .hiddenActivation)
        try take(&finalLogitSoftcapping, .finalLogitSoftcapping)
        try take(&attnLogitSoftcapping, .attnLogitSoftcapping)
        try take(&torchDtype, .torchDtype)
    }

    /// Decodes `config.json` contents; errors name the offending field.
    public init(json: Data, path: String? = nil) throws {
        do {
            self = try JSONDecoder().decode(HFConfig.self, from: json)
        } catch let e as DecodingError {
            throw SafetensorsError("config: \(SafetensorsHeaderParser.describe(e))", path: path)
        }
    }

    /// Reads and decodes the `config.json` at `path`.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SafetensorsError("cannot read config file", path: path)
        }
        try self.init(json: data, path: path)
    }
}
