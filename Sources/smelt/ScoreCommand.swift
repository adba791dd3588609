import ArgumentParser
import Foundation
import SmeltEngine
import SmeltIR

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Teacher-forced evaluation of a token sequence.",
        discussion: """
        Runs the whole sequence through the model and prints, for every position, the \
        top logits and the log-probability of the token that comes next. This is what \
        implementations are compared with.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "The token ids, comma-separated (BOS first).") var ids: String?
    @Option(help: "Text to tokenize (BOS added) instead of --ids.") var text: String?
    @Option(help: "How many top logits to print per position.") var top = 5
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        guard (ids == nil) != (text == nil) else { throw ValidationError("give exactly one of --ids and --text") }
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        var tokens: [Int32] = []
        if let ids { tokens = try parseIDs(ids, flag: "--ids") }
        let (loaded, backend) = try modelOptions.load()
        if let text { tokens = try loaded.requireTokenizer().encode(text, addBOS: true, parseSpecial: false) }
        let scores = try Scorer(backend: backend).score(tokens, top: top)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let report = ScoreReport(model: loaded.name, backend: backend.name, positions: scores)
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        let tokenizer = loaded.tokenizer
        func label(_ id: Int32) -> String {
            guard let piece = tokenizer?.piece(for: id) else { return "\(id)" }
            return "\(id) \(piece.debugDescription)"
        }
        print("pos  token                      next: log p                top \(top) (id logit)")
        for score in scores {
            let next = score.nextLogProb.map { String(format: "%9.4f", $0) } ?? "        -"
            let topText = score.top.map { "\($0.id) \(String(format: "%.3f", $0.logit))" }.joined(separator: ", ")
            print(String(format: "%4d ", score.position) + label(score.token).padding(toLength: 26, withPad: " ", startingAt: 0)
                  + " \(next)    \(topText)")
        }
    }
}

/// The JSON `smelt score --json` prints.
struct ScoreReport: Encodable {
    var model: String
    var backend: String
    var positions: [PositionScore]
}

struct PerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Perplexity of a text file under the model.",
        discussion: "The text is tokenized (BOS first) and scored in windows of at most the context length.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "A UTF-8 text file.") var file: String
    @Option(help: "Tokens per window (default: the context length).") var window: Int?

    func run() throws {
        let text = try readTextFile(file, what: "the text file")
        if let window, window < 2 { throw SmeltError("--window must be at least 2") }
        let (loaded, backend) = try modelOptions.load()
        let tokens = try loaded.requireTokenizer().encode(text, addBOS: true, parseSpecial: false)
        let result = try Scorer(backend: backend).perplexity(tokens, window: window)
        print(String(format: "perplexity %.4f over %d tokens (%@ backend)", result.perplexity, result.tokens, backend.name))
    }
}
