import ArgumentParser
import SmeltEngine
import SmeltIR

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text (BOS first), comma-separated.")

    @Argument(help: "A model config (.yaml) or a .gguf file.") var model: String
    @Argument(help: "The text.") var text: String
    @Flag(name: .customLong("no-bos"), help: "Do not add the beginning-of-sequence token.") var noBOS = false
    @Flag(help: "Parse special tokens such as <start_of_turn> in the text.") var special = false
    @Flag(help: "Print each id with its piece, one per line.") var pieces = false

    func run() throws {
        let tokenizer = try ModelLoader.load(model).requireTokenizer()
        let ids = tokenizer.encode(text, addBOS: !noBOS, parseSpecial: special)
        if pieces {
            for id in ids { print("\(id)\t\(tokenizer.piece(for: id) ?? "?")") }
        } else {
            print(ids.map(String.init).joined(separator: ","))
        }
    }
}
