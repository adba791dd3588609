import Foundation

/// A model config (`configs/models/*.yaml`): which graph, which weights, and
/// the hyper-parameters the graph refers to as `config.KEY`. Paths are
/// relative to the config file's folder.
public struct ModelConfig: Sendable, Decodable {
    public var name: String
    /// The graph file.
    public var graph: String
    public var weights: WeightsSource
    /// Tokens the KV cache holds; a longer prompt is an error.
    public var contextLength: Int
    public var hyperparameters: Hyperparameters
    /// Absolute path of the config file's folder, set by `load`.
    public var directory: URL = URL(fileURLWithPath: ".")

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, graph, weights, contextLength = "context_length", hyperparameters
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        graph = try c.decode(String.self, forKey: .graph)
        weights = try c.decode(WeightsSource.self, forKey: .weights)
        contextLength = try c.decodeIfPresent(Int.self, forKey: .contextLength) ?? 2048
        hyperparameters = try c.decodeIfPresent(Hyperparameters.self, forKey: .hyperparameters) ?? Hyperparameters()
        guard contextLength > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .contextLength, in: c, debugDescription: "must be positive")
        }
    }

    /// Reads and decodes a config file.
    public static func load(path: String) throws -> ModelConfig {
        let url = URL(fileURLWithPath: path)
        let text = try readTextFile(path, what: "the model config")
        var config = try decodeYAML(ModelConfig.self, from: text, file: path)
        config.directory = url.deletingLastPathComponent().standardizedFileURL
        return config
    }

    /// Resolves a path written in the config against its folder.
    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : directory.appendingPathComponent(path).standardizedFileURL.path
    }

    public var graphPath: String { resolve(graph) }

    /// The environment graph expressions are evaluated in.
    public var environment: EvalEnvironment {
        let h = hyperparameters
        return EvalEnvironment(config: { h.value(forKey: $0) }, configKeys: Hyperparameters.keys)
    }
}

/// Where a model's weights come from: exactly one of the three.
public enum WeightsSource: Sendable, Decodable, Equatable {
    case gguf(String)
    case safetensors(String)
    /// Seeded random weights made in-process from the graph's weight shapes.
    case synthetic(seed: UInt64)

    enum CodingKeys: String, CodingKey, CaseIterable { case gguf, safetensors, synthetic }
    struct Synthetic: Decodable {
        var seed: UInt64
        enum CodingKeys: String, CodingKey, CaseIterable { case seed }
        init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
            seed = try decoder.container(keyedBy: CodingKeys.self).decode(UInt64.self, forKey: .seed)
        }
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, known: CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.allKeys.count == 1, let key = c.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath,
                                                    debugDescription: "give exactly one of gguf, safetensors, synthetic"))
        }
        switch key {
        case .gguf: self = .gguf(try c.decode(String.self, forKey: .gguf))
        case .safetensors: self = .safetensors(try c.decode(String.self, forKey: .safetensors))
        case .synthetic: self = .synthetic(seed: try c.decode(Synthetic.self, forKey: .synthetic).seed)
        }
    }
}
