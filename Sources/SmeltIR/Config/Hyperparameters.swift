/// Model hyper-parameters a graph reads as `config.KEY`. Every field is
/// optional: a config may leave out what the checkpoint's metadata says
/// (GGUF), and a graph that reads an unset key gets an error naming it.
public struct Hyperparameters: Sendable, Decodable, Equatable {
    public var nLayers: Int?
    public var dModel: Int?
    public var nHeads: Int?
    public var nKVHeads: Int?
    public var headDim: Int?
    public var ffnDim: Int?
    public var vocabSize: Int?
    public var rmsEps: Double?
    /// RoPE base of global-attention layers.
    public var ropeTheta: Double?
    /// RoPE base of sliding-window layers (Gemma-3: 1e4).
    public var ropeThetaLocal: Double?
    /// Keys a sliding-window layer sees, counting the query's own position.
    public var slidingWindow: Int?
    /// Every `slidingWindowPattern`-th layer is global (Gemma-3: 6).
    public var slidingWindowPattern: Int?
    /// Attention scores are multiplied by queryScale^-0.5 (default head_dim).
    public var queryScale: Double?
    public var attnSoftcap: Double?
    public var finalSoftcap: Double?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case nLayers = "n_layers", dModel = "d_model", nHeads = "n_heads", nKVHeads = "n_kv_heads"
        case headDim = "head_dim", ffnDim = "ffn_dim", vocabSize = "vocab_size", rmsEps = "rms_eps"
        case ropeTheta = "rope_theta", ropeThetaLocal = "rope_theta_local", slidingWindow = "sliding_window"
        case slidingWindowPattern = "sliding_window_pattern", queryScale = "query_scale"
        case attnSoftcap = "attn_softcap", finalSoftcap = "final_softcap"
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        nLayers = try c.decodeIfPresent(Int.self, forKey: .nLayers)
        dModel = try c.decodeIfPresent(Int.self, forKey: .dModel)
        nHeads = try c.decodeIfPresent(Int.self, forKey: .nHeads)
        nKVHeads = try c.decodeIfPresent(Int.self, forKey: .nKVHeads)
        headDim = try c.decodeIfPresent(Int.self, forKey: .headDim)
        ffnDim = try c.decodeIfPresent(Int.self, forKey: .ffnDim)
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize)
        rmsEps = try c.decodeIfPresent(Double.self, forKey: .rmsEps)
        ropeTheta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta)
        ropeThetaLocal = try c.decodeIfPresent(Double.self, forKey: .ropeThetaLocal)
        slidingWindow = try c.decodeIfPresent(Int.self, forKey: .slidingWindow)
        slidingWindowPattern = try c.decodeIfPresent(Int.self, forKey: .slidingWindowPattern)
        queryScale = try c.decodeIfPresent(Double.self, forKey: .queryScale)
        attnSoftcap = try c.decodeIfPresent(Double.self, forKey: .attnSoftcap)
        finalSoftcap = try c.decodeIfPresent(Double.self, forKey: .finalSoftcap)
    }

    public static let keys = CodingKeys.allCases.map(\.rawValue)

    /// The value of `config.KEY`, or nil when the key is unknown or unset.
    public func value(forKey key: String) -> AttrValue? {
        guard let codingKey = CodingKeys(rawValue: key) else { return nil }
        switch codingKey {
        case .nLayers: return nLayers.map(AttrValue.int)
        case .dModel: return dModel.map(AttrValue.int)
        case .nHeads: return nHeads.map(AttrValue.int)
        case .nKVHeads: return nKVHeads.map(AttrValue.int)
        case .headDim: return (headDim ?? derivedHeadDim).map(AttrValue.int)
        case .ffnDim: return ffnDim.map(AttrValue.int)
        case .vocabSize: return vocabSize.map(AttrValue.int)
        case .rmsEps: return rmsEps.map(AttrValue.float)
        case .ropeTheta: return ropeTheta.map(AttrValue.float)
        case .ropeThetaLocal: return ropeThetaLocal.map(AttrValue.float)
        case .slidingWindow: return slidingWindow.map(AttrValue.int)
        case .slidingWindowPattern: return slidingWindowPattern.map(AttrValue.int)
        case .queryScale: return (queryScale ?? (headDim ?? derivedHeadDim).map(Double.init)).map(AttrValue.float)
        case .attnSoftcap: return .float(attnSoftcap ?? 0)
        case .finalSoftcap: return .float(finalSoftcap ?? 0)
        }
    }

    private var derivedHeadDim: Int? {
        guard let d = dModel, let h = nHeads, h > 0, d % h == 0 else { return nil }
        return d / h
    }

    /// Fills every unset field from `other`.
    public mutating func fillUnset(from other: Hyperparameters) {
        nLayers = nLayers ?? other.nLayers
        dModel = dModel ?? other.dModel
        nHeads = nHeads ?? other.nHeads
        nKVHeads = nKVHeads ?? other.nKVHeads
        headDim = headDim ?? other.headDim
        ffnDim = ffnDim ?? other.ffnDim
        vocabSize = vocabSize ?? other.vocabSize
        rmsEps = rmsEps ?? other.rmsEps
        ropeTheta = ropeTheta ?? other.ropeTheta
        ropeThetaLocal = ropeThetaLocal ?? other.ropeThetaLocal
        slidingWindow = slidingWindow ?? other.slidingWindow
        slidingWindowPattern = slidingWindowPattern ?? other.slidingWindowPattern
        queryScale = queryScale ?? other.queryScale
        attnSoftcap = attnSoftcap ?? other.attnSoftcap
        finalSoftcap = finalSoftcap ?? other.finalSoftcap
    }
}
