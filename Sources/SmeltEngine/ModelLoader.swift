import Foundation
import SmeltIR
import SmeltModels
import SmeltReference

/// A model ready to run: its config, its graph bound to its weights, and
/// its tokenizer when the checkpoint has one.
public struct LoadedModel {
    public var config: ModelConfig
    public var source: GraphSource
    /// Instantiated and bound: every weight has its stored dtype.
    public var graph: Graph
    public var store: any WeightStore
    public var tokenizer: SentencePieceTokenizer?
    public var chatTemplate: ChatTemplate?

    /// Builds the reference interpreter's model (dequantizes every weight).
    public func referenceModel() throws -> ReferenceModel {
        try ReferenceModel(graph: graph, store: store, contextLength: config.contextLength)
    }

    /// The tokenizer, or an error saying this model has none.
    public func requireTokenizer() throws -> SentencePieceTokenizer {
        try ModelInfo(self).requireTokenizer()
    }
}

/// Loads a model from a config file (`configs/models/*.yaml`) or straight
/// from a GGUF file, whose architecture picks `Graphs/<arch>.graph`.
public enum ModelLoader {
    public static func load(_ path: String) throws -> LoadedModel {
        if path.hasSuffix(".gguf") { return try loadGGUF(path) }
        let config = try ModelConfig.load(path: path)
        switch config.weights {
        case .synthetic(let seed):
            let source = try readGraphSource(config.graphPath, from: path)
            let unbound = try source.instantiate(config.environment)
            let store = try SyntheticWeightStore(graph: unbound, seed: seed)
            return LoadedModel(config: config, source: source, graph: try bindWeights(unbound, to: store), store: store)
        case .gguf(let file):
            return try load(config: config, gguf: try openGGUF(config.resolve(file), from: path), configPath: path)
        case .safetensors(let directory):
            return try loadSafetensors(config: config, directory: config.resolve(directory), configPath: path)
        }
    }

    /// The model config at `path` with the hyper-parameters it leaves unset
    /// filled from its checkpoint's metadata (a GGUF's, or a safetensors
    /// folder's config.json), as `load` fills them, without binding weights.
    public static func resolvedConfig(_ path: String) throws -> ModelConfig {
        var config = try ModelConfig.load(path: path)
        switch config.weights {
        case .synthetic:
            break
        case .gguf(let file):
            config.hyperparameters.fillUnset(from: try openGGUF(config.resolve(file), from: path).hyperparameters)
        case .safetensors(let directory):
            let checkpoint: SafetensorsCheckpoint
            do {
                checkpoint = try SafetensorsCheckpoint(directory: config.resolve(directory))
            } catch {
                throw SmeltError("\(config.resolve(directory)): \(error)")
            }
            if let hf = checkpoint.config { config.hyperparameters.fillUnset(from: hf.hyperparameters) }
        }
        return config
    }

    private static func openGGUF(_ file: String, from configPath: String?) throws -> GGUFFile {
        guard FileManager.default.fileExists(atPath: file) else {
            let source = configPath.map { " (named by \($0))" } ?? ""
            let hint = file.hasSuffix("gemma-3-270m-q4_k_m.gguf") ? "run 'make model' to fetch it" : nil
            throw SmeltError("model file \(file) not found\(source)", hint: hint)
        }
        do {
            return try GGUFFile(path: file)
        } catch {
            // GGUF errors already name the file, field and offset.
            throw SmeltError("\(error)")
        }
    }

    private static func load(config: ModelConfig, gguf: GGUFFile, configPath: String) throws -> LoadedModel {
        var config = config
        config.hyperparameters.fillUnset(from: gguf.hyperparameters)
        let source = try readGraphSource(config.graphPath, from: configPath)
        let graph = try bindWeights(try source.instantiate(config.environment), to: gguf)
        let tokenizer = gguf.contains("tokenizer.ggml.tokens") ? try SentencePieceTokenizer(gguf: gguf) : nil
        let template = try? ChatTemplate(metadataTemplate: try? gguf.string("tokenizer.chat_template"),
                                         architecture: gguf.architecture)
        return LoadedModel(config: config, source: source, graph: graph, store: gguf, tokenizer: tokenizer,
                           chatTemplate: template)
    }

    /// A Hugging Face checkpoint folder (safetensors + config.json), mapped
    /// onto the graph's GGUF tensor names. It carries no tokenizer Smelt reads.
    private static func loadSafetensors(config: ModelConfig, directory: String, configPath: String) throws -> LoadedModel {
        var config = config
        let checkpoint: SafetensorsCheckpoint
        do {
            checkpoint = try SafetensorsCheckpoint(directory: directory)
        } catch {
            throw SmeltError("\(directory): \(error)")
        }
        guard let hf = checkpoint.config else {
            throw SmeltError("\(directory): no config.json beside the safetensors files")
        }
        config.hyperparameters.fillUnset(from: hf.hyperparameters)
        let store = try HFWeightStore(checkpoint: checkpoint, config: hf)
        let source = try readGraphSource(config.graphPath, from: configPath)
        let graph = try bindWeights(try source.instantiate(config.environment), to: store)
        return LoadedModel(config: config, source: source, graph: graph, store: store)
    }

    /// A GGUF given directly: the graph comes from its architecture, the
    /// hyper-parameters from its metadata plus the architecture's defaults.
    private static func loadGGUF(_ path: String) throws -> LoadedModel {
        let gguf = try openGGUF(path, from: nil)
        guard let arch = gguf.architecture else {
            throw SmeltError("\(path): no 'general.architecture' in the GGUF metadata; write a model config for it")
        }
        guard let graphPath = findGraph(named: arch) else {
            throw SmeltError("\(path): no graph for architecture '\(arch)' (looked for Graphs/\(arch).graph)",
                             hint: "write Graphs/\(arch).graph and a model config for it")
        }
        let name = (try? gguf.string("general.name")) ?? URL(fileURLWithPath: path).lastPathComponent
        var yaml = "name: \(quoteYAML(name))\ngraph: \(quoteYAML(graphPath))\nweights:\n  gguf: \(quoteYAML(path))\n"
        if let defaults = architectureDefaults[arch] { yaml += "hyperparameters:\n" + defaults }
        var config = try decodeYAML(ModelConfig.self, from: yaml, file: path)
        config.directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        return try load(config: config, gguf: gguf, configPath: path)
    }

    /// Facts of an architecture that GGUF metadata does not store.
    static let architectureDefaults: [String: String] = [
        "gemma3": "  rope_theta_local: 10000.0\n  sliding_window_pattern: 6\n",
    ]

    /// Looks for `Graphs/NAME.graph` under the working directory and the
    /// folders above the `smelt` executable (a build tree or an install).
    static func findGraph(named name: String) -> String? {
        var roots = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            roots.append(dir)
            dir = dir.deletingLastPathComponent()
        }
        return roots.map { $0.appendingPathComponent("Graphs/\(name).graph").path }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    private static func quoteYAML(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Reads and parses a graph file, naming the config that pointed at it.
    public static func readGraphSource(_ graphPath: String, from configPath: String) throws -> GraphSource {
        guard FileManager.default.fileExists(atPath: graphPath) else {
            throw SmeltError("\(configPath): graph file \(graphPath) not found")
        }
        return try GraphParser.parse(try readTextFile(graphPath, what: "the graph file"), file: graphPath)
    }
}
