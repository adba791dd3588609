import SmeltIR

/// A Hugging Face checkpoint seen through GGUF tensor names, so one graph
/// binds both (`blk.{layer}.attn_q.weight` ← `model.layers.{i}.self_attn.q_proj.weight`).
///
/// It also undoes the two ways HF tensors differ from GGUF ones beyond
/// their names, as llama.cpp's converter does:
/// - Llama-family q/k projections are stored for "rotate half" RoPE; GGUF
///   permutes their rows for adjacent-pair RoPE, which `llama.graph` uses.
/// - Gemma stores RMSNorm weights as w - 1; GGUF stores w.
public final class HFWeightStore: WeightStore, @unchecked Sendable {
    public let checkpoint: any WeightStore
    public let family: Family
    public let tensorNames: [String]
    private let sourceNames: [String: String]
    private let heads: Int
    private let kvHeads: Int

    public enum Family: Sendable {
        case llama, gemma3
    }

    public init(checkpoint: any WeightStore, config: HFConfig) throws {
        guard let type = config.modelType else {
            throw SmeltError("config.json has no model_type; cannot map the checkpoint's tensor names")
        }
        let family: Family
        switch type {
        case "llama", "mistral", "qwen2": family = .llama
        case "gemma3", "gemma3_text": family = .gemma3
        default: throw SmeltError("safetensors checkpoints of model_type '\(type)' are not supported (llama, mistral, qwen2, gemma3 are)")
        }
        self.family = family
        self.checkpoint = checkpoint
        heads = config.numAttentionHeads ?? 1
        kvHeads = config.numKeyValueHeads ?? heads
        var map: [String: String] = [:]
        var names: [String] = []
        for name in checkpoint.tensorNames {
            guard let gguf = Self.ggufName(for: name, family: family) else { continue }
            map[gguf] = name
            names.append(gguf)
        }
        // Tied output: llama.graph names output.weight; a tied HF checkpoint has no lm_head.
        if family == .llama, map["output.weight"] == nil, let embedding = map["token_embd.weight"] {
            map["output.weight"] = embedding
            names.append("output.weight")
        }
        sourceNames = map
        tensorNames = names
    }

    public func tensor(named name: String) throws -> WeightTensor {
        guard let source = sourceNames[name] else {
            throw SmeltError("checkpoint has no tensor for '\(name)'")
        }
        let tensor = try checkpoint.tensor(named: source)
        let isNorm = name.hasSuffix("norm.weight")
        let isQ = name.hasSuffix("attn_q.weight"), isK = name.hasSuffix("attn_k.weight")
        guard (family == .gemma3 && isNorm) || (family == .llama && (isQ || isK)) else {
            return WeightTensor(name: name, dtype: tensor.dtype, shape: tensor.shape, bytes: tensor.bytes, owner: tensor.owner)
        }
        var values = try tensor.dequantized()
        if isNorm {
            for i in values.indices { values[i] += 1 }
        } else {
            values = permuteForAdjacentPairRoPE(values, rows: tensor.rowCount, cols: tensor.rowLength,
                                                heads: isQ ? heads : kvHeads)
        }
        let storage = FloatStorage(values)
        return WeightTensor(name: name, dtype: .f32, shape: tensor.shape, bytes: UnsafeRawBufferPointer(storage.pointer),
                            owner: storage)
    }

    /// The GGUF name of an HF tensor, or nil for tensors graphs do not use.
    static func ggufName(for name: String, family: Family) -> String? {
        let direct = ["model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
                      "lm_head.weight": "output.weight"]
        if let mapped = direct[name] { return mapped }
        let parts = name.split(separator: ".")
        guard parts.count >= 4, parts[0] == "model", parts[1] == "layers", let layer = Int(parts[2]) else { return nil }
        let rest = parts[3...].joined(separator: ".")
        var table = [
            "input_layernorm.weight": "attn_norm.weight",
            "self_attn.q_proj.weight": "attn_q.weight", "self_attn.k_proj.weight": "attn_k.weight",
            "self_attn.v_proj.weight": "attn_v.weight", "self_attn.o_proj.weight": "attn_output.weight",
            "self_attn.q_proj.bias": "attn_q.bias", "self_attn.k_proj.bias": "attn_k.bias",
            "self_attn.v_proj.bias": "attn_v.bias",
            "self_attn.q_norm.weight": "attn_q_norm.weight", "self_attn.k_norm.weight": "attn_k_norm.weight",
            "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
            "mlp.down_proj.weight": "ffn_down.weight",
        ]
        switch family {
        case .llama:
            table["post_attention_layernorm.weight"] = "ffn_norm.weight"
        case .gemma3:
            table["post_attention_layernorm.weight"] = "post_attention_norm.weight"
            table["pre_feedforward_layernorm.weight"] = "ffn_norm.weight"
            table["post_feedforward_layernorm.weight"] = "post_ffw_norm.weight"
        }
        return table[rest].map { "blk.\(layer).\($0)" }
    }
}

/// Reorders each head's rows from "rotate half" order (pairs i, i + d/2)
/// to interleaved order (pairs 2i, 2i + 1): row 2i ← i, row 2i + 1 ← i + d/2.
func permuteForAdjacentPairRoPE(_ values: [Float], rows: Int, cols: Int, heads: Int) -> [Float] {
    guard heads > 0, rows % heads == 0, (rows / heads) % 2 == 0 else { return values }
    let headDim = rows / heads, half = headDim / 2
    var out = values
    for h in 0..<heads {
        for i in 0..<half {
            for (target, source) in [(2 * i, i), (2 * i + 1, i + half)] {
                let to = (h * headDim + target) * cols, from = (h * headDim + source) * cols
                out[to ..< to + cols] = values[from ..< from + cols]
            }
        }
    }
    return out
}

extension HFConfig {
    /// The config's hyper-parameters in Smelt's terms.
    public var hyperparameters: Hyperparameters {
        var h = Hyperparameters()
        h.nLayers = numHiddenLayers
        h.dModel = hiddenSize
        h.nHeads = numAttentionHeads
        h.nKVHeads = numKeyValueHeads ?? numAttentionHeads
        h.headDim = headDim
        h.ffnDim = intermediateSize
        h.vocabSize = vocabSize
        h.rmsEps = rmsNormEps
        h.ropeTheta = ropeTheta
        h.ropeThetaLocal = ropeLocalBaseFreq
        h.slidingWindow = slidingWindow
        h.slidingWindowPattern = slidingWindowPattern
        h.queryScale = queryPreAttnScalar
        h.attnSoftcap = attnLogitSoftcapping
        h.finalSoftcap = finalLogitSoftcapping
        return h
    }
}
