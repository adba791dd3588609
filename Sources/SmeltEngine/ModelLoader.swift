import Foundation
import SmeltIR
import SmeltReference
import SmeltModels

/// A model ready to run: its config, its graph bound to its weights, and
/// its tokenizer when the checkpoint has one.
public struct LoadedModel {
    public var config: ModelConfig
    public var source: GraphSource
    /// Instantiated and bound: every weight has its stored dtype.
    public var graph: Graph
    public var store: any WeightStore

    /// Builds the reference interpreter's model (dequantizes every weight).
    public func referenceModel() throws -> ReferenceModel {
        try ReferenceModel(graph: graph, store: store, contextLength: config.contextLength)
    }
}

/// Loads a model from a config file (`configs/models/*.yaml`).
public enum ModelLoader {
    public static func load(_ path: String) throws -> LoadedModel {
        let config = try ModelConfig.load(path: path)
        let source = try readGraphSource(config.graphPath, from: path)
        switch config.weights {
        case .synthetic(let seed):
            let unbound = try source.instantiate(config.environment)
            let store = try SyntheticWeightStore(graph: unbound, seed: seed)
            return LoadedModel(config: config, source: source, graph: try bindWeights(unbound, to: store), store: store)
        case .gguf(let file), .safetensors(let file):
            throw SmeltError("\(path): loading \(config.resolve(file)) is not supported yet")
        }
    }

    /// Reads and parses a graph file, naming the config that pointed at it.
    public static func readGraphSource(_ graphPath: String, from configPath: String) throws -> GraphSource {
        guard let data = FileManager.default.contents(atPath: graphPath) else {
            throw SmeltError("\(configPath): graph file \(graphPath) not found")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SmeltError("\(graphPath): the graph file is not UTF-8 text")
        }
        return try GraphParser.parse(text, file: graphPath)
    }
}
