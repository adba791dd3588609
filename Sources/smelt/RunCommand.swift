import ArgumentParser
import Foundation
import SmeltEngine
import SmeltIR

/// Options every command that runs a model shares.
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
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Generate tokens from a prompt.",
        discussion: """
        MODEL is a model config (configs/models/*.yaml). Give the prompt as token \
        ids with --prompt-ids; the generated ids are printed on one line, comma-separated.
        """
    )

    @Argument(help: "A model config (.yaml).") var model: String
    @Option(help: "Which backend runs the model.") var backend: BackendKind = .reference
    @Option(name: .customLong("prompt-ids"), help: "The prompt as comma-separated token ids, e.g. 2,818,5279.")
    var promptIDs: String?
    @Option(name: .short, help: "How many tokens to generate.") var n = 32
    @OptionGroup var sampling: SamplingOptions

    func validate() throws {
        guard n >= 0 else { throw ValidationError("-n must be >= 0") }
        guard promptIDs != nil else { throw ValidationError("give the prompt with --prompt-ids") }
    }

    func run() throws {
        let prompt = try parseIDs(promptIDs ?? "", flag: "--prompt-ids")
        try sampling.parameters.validate()
        let loaded = try ModelLoader.load(model)
        let backend = ReferenceBackend(model: try loaded.referenceModel())
        let generation = try Generator(backend: backend).generate(prompt: prompt, maxTokens: n,
                                                                  sampling: sampling.parameters)
        print(generation.tokens.map(String.init).joined(separator: ","))
    }
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
