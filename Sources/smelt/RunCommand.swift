import ArgumentParser
import Foundation
import SmeltArtifact
import SmeltEngine
import SmeltIR
import SmeltModels

/// Options every command that samples tokens shares.
struct SamplingOptions: ParsableArguments {
    @Option(help: "Sampling temperature; 0 is greedy.") var temperature: Float = 0
    @Option(name: .customLong("top-k"), help: "Keep only the k most likely tokens (0 keeps all).") var topK = 0
    @Option(name: .customLong("top-p"), help: "Keep the smallest set of tokens whose probability reaches p.") var topP: Float = 1
    @Option(help: "Seed of the sampler's random generator.") var seed: UInt64 = 0

    var parameters: SamplingParameters {
        SamplingParameters(temperature: temperature, topK: topK, topP: topP, seed: seed)
    }
}

enum BackendKind: String, ExpressibleByArgument, CaseIterable {
    case reference
    case vulkan
}

/// The model argument and backend choice.
struct ModelOptions: ParsableArguments {
    @Argument(help: "A model config (configs/models/*.yaml), a .gguf file, or a compiled .smelt artifact.")
    var model: String
    @Option(help: "Which backend runs the model (\(BackendKind.allCases.map(\.rawValue).joined(separator: ", "))); default: vulkan for a .smelt artifact, reference otherwise.")
    var backend: BackendKind?
    @Option(help: "Vulkan device index (see `smelt devices`); default: the best usable device.") var device: Int?
    @Option(help: "With --backend vulkan and a config or GGUF: the pass pipeline it is compiled with in memory (default, none, or a .pipeline file), as `smelt compile` would.")
    var pipeline: String?
    @Option(name: .customLong("kv-cache"), help: "With --backend vulkan and a config or GGUF: store the KV cache as f32, f16 or q8_0, overriding select-kv-layout.")
    var kvCache: String?

    /// The in-memory compile's options for pipeline `name`.
    private func options(_ name: String) throws -> PipelineOptions {
        var options = try PipelineOptions.named(name)
        try options.setKVCache(try kvCache.map(PipelineArguments.kvCacheFormat))
        return options
    }

    func load() throws -> (ModelInfo, any InferenceBackend) {
        if kvCache != nil, model.hasSuffix(".smelt") || backend != .vulkan {
            throw SmeltError("--kv-cache applies to a config or GGUF run with --backend vulkan",
                             hint: model.hasSuffix(".smelt") ? "an artifact keeps the cache it was compiled with"
                                 : "the reference backend keeps its cache in f32")
        }
        if pipeline != nil, model.hasSuffix(".smelt") || backend != .vulkan {
            throw SmeltError("--pipeline applies to a config or GGUF run with --backend vulkan",
                             hint: model.hasSuffix(".smelt") ? "an artifact keeps the pipeline it was compiled with"
                                 : "the reference backend runs the graph as written")
        }
        if model.hasSuffix(".smelt") {
            guard backend != .reference else {
                throw SmeltError("\(model): an artifact runs on the Vulkan backend; give the model config to use --backend reference")
            }
            let artifact = try Artifact(path: model)
            return (try ModelInfo(artifact: artifact), try VulkanBackend(artifact: artifact, deviceIndex: device))
        }
        let loaded = try ModelLoader.load(model)
        switch backend ?? .reference {
        case .reference:
            return (ModelInfo(loaded), ReferenceBackend(model: try loaded.referenceModel()))
        case .vulkan:
            let (compiled, _) = try loaded.applying(try options(pipeline ?? "default"))
            return (ModelInfo(loaded), try VulkanBackend(model: compiled, deviceIndex: device))
        }
    }
}

extension ModelOptions {
    /// The model compiled in memory with each of `pipelines`, a Vulkan
    /// backend each (`smelt bench --compare`).
    func load(pipelines: [String], progress: (String) -> Void) throws
        -> (ModelInfo, [(pipeline: String, backend: any InferenceBackend)]) {
        guard !model.hasSuffix(".smelt") else {
            throw SmeltError("\(model): --compare compiles the model once per pipeline; give its config or GGUF",
                             hint: "an artifact keeps the one pipeline it was compiled with")
        }
        guard backend != .reference else { throw SmeltError("--compare runs on the Vulkan backend") }
        guard pipeline == nil else { throw SmeltError("--compare names the pipelines; drop --pipeline") }
        let loaded = try ModelLoader.load(model)
        let info = ModelInfo(loaded)
        var backends: [(pipeline: String, backend: any InferenceBackend)] = []
        for name in pipelines {
            progress("compiling \(info.name) with pipeline '\(name)'")
            let (compiled, _) = try loaded.applying(try options(name))
            backends.append((name, try VulkanBackend(model: compiled, deviceIndex: device)))
        }
        return (info, backends)
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Generate text (or token ids) from a prompt.",
        discussion: """
        Give the prompt as text with --prompt (tokenized with the model's tokenizer, \
        BOS first) or as token ids with --prompt-ids. Text is streamed as it is \
        generated; with --ids, or with --prompt-ids, the generated ids are printed \
        instead, comma-separated on one line. Generation stops after -n tokens or at \
        the end-of-sequence token.

        --temperature 0 (the default) is greedy. Otherwise --top-k, then --top-p, then \
        one draw from a SplitMix64 generator seeded with --seed pick each token; on the \
        Vulkan backend this runs on the device. A seed gives the same tokens on both \
        backends as long as their logits agree.
        """
    )

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "The prompt text.") var prompt: String?
    @Option(name: .customLong("prompt-ids"), help: "The prompt as comma-separated token ids, e.g. 2,818,5279.")
    var promptIDs: String?
    @Flag(help: "Wrap the prompt in the model's chat template (a user turn, then the model's turn).") var chat = false
    @Flag(help: "Print generated token ids instead of text.") var ids = false
    @Option(name: .short, help: "How many tokens to generate.") var n = 32
    @OptionGroup var sampling: SamplingOptions

    func validate() throws {
        guard n >= 0 else { throw ValidationError("-n must be >= 0") }
        guard (prompt == nil) != (promptIDs == nil) else {
            throw ValidationError("give the prompt with exactly one of --prompt and --prompt-ids")
        }
        if chat, prompt == nil { throw ValidationError("--chat needs a text --prompt") }
    }

    func run() throws {
        try sampling.parameters.validate()
        var promptTokens: [Int32] = []
        if let promptIDs { promptTokens = try parseIDs(promptIDs, flag: "--prompt-ids") }
        let (loaded, backend) = try modelOptions.load()
        var stops: Set<Int32> = []
        if let prompt {
            let tokenizer = try loaded.requireTokenizer()
            stops.insert(tokenizer.eosID)
            if chat {
                guard let template = loaded.chatTemplate else {
                    throw SmeltError("model '\(loaded.name)' has no chat template")
                }
                promptTokens = tokenizer.encode(template.prompt(userMessage: prompt), addBOS: true, parseSpecial: true)
                if let endOfTurn = tokenizer.id(forPiece: "<end_of_turn>") { stops.insert(endOfTurn) }
            } else {
                promptTokens = tokenizer.encode(prompt, addBOS: true, parseSpecial: false)
            }
        }
        let printIDs = ids || prompt == nil
        var stream = loaded.tokenizer.map { TokenStreamDecoder(tokenizer: $0) }
        let generation = try Generator(backend: backend).generate(
            prompt: promptTokens, maxTokens: n, sampling: sampling.parameters, stopTokens: stops
        ) { token in
            if !printIDs, let text = stream?.append(token) { writeOut(text) }
            return true
        }
        if printIDs {
            print(generation.tokens.map(String.init).joined(separator: ","))
        } else {
            writeOut((stream?.finish() ?? "") + "\n")
        }
    }
}

/// Writes to stdout at once, so streamed text appears as it is generated.
func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// Parses "1,2,3" into token ids, naming the flag and the bad item.
func parseIDs(_ text: String, flag: String) throws -> [Int32] {
    let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    return try items.enumerated().map { index, item in
        guard let id = Int32(item), id >= 0 else {
            throw SmeltError("\(flag): item \(index + 1) '\(item)' is not a token id (a non-negative integer)")
        }
        return id
    }
}
