import Foundation
import Testing
@testable import SmeltModels

/// The Gemma-3 tokenizer read from the real GGUF, checked against the
/// llama.cpp token ids in `../shared/reference/gemma3-270m/`.
///
/// Needs the model: `$SMELT_GGUF`, else `models/gemma-3-270m-q4_k_m.gguf`
/// (`make model`). Without it these tests fail,
/// unless `SMELT_SKIP_MODEL_TESTS=1`.
@Suite(.enabled(if: !ModelPaths.skipModelTests,
                "SMELT_SKIP_MODEL_TESTS=1"))
struct TokenizerTests {
    @Test func everyReferenceCaseEncodesAndDecodesExactly() throws {
        let tok = try GemmaTokenizerFixture.tokenizer()
        let cases = try GemmaTokenizerFixture.reference(TokenizeReference.self, "tokenize.json").cases
        #expect(cases.count >= 10)
        for c in cases {
            let text = c.text.debugDescription
            #expect(tok.encode(c.text, addBOS: true, parseSpecial: false) == c.ids_with_bos, "\(text)")
            #expect(tok.encode(c.text, addBOS: false, parseSpecial: false) == c.ids_without_bos, "\(text)")
            #expect(tok.encode(c.text, addBOS: true, parseSpecial: true) == c.special_ids_with_bos, "\(text)")
            #expect(c.ids_without_bos.map { tok.decode([$0]) } == c.pieces, "\(text)")
            #expect(tok.decode(c.ids_with_bos) == c.decoded, "\(text)")
            #expect(tok.decode(c.ids_without_bos) == c.decoded, "\(text)")
        }
    }

    /// The same cases through the heap merge (every run treated as long) and
    /// the linear one (every run treated as short).
    @Test(arguments: [0, Int.max])
    func mergeStrategiesAgreeWithReference(linearLimit: Int) throws {
        var tok = try GemmaTokenizerFixture.tokenizer()
        tok.merger.linearLimit = linearLimit
        for c in try GemmaTokenizerFixture.reference(TokenizeReference.self, "tokenize.json").cases {
            #expect(tok.encode(c.text, addBOS: true, parseSpecial: false) == c.ids_with_bos)
            #expect(tok.encode(c.text, addBOS: true, parseSpecial: true) == c.special_ids_with_bos)
        }
        for p in try GemmaTokenizerFixture.reference(GreedyReference.self, "greedy.json").prompts {
            #expect(tok.encode(p.prompt, addBOS: true, parseSpecial: p.parse_special) == p.prompt_ids, "\(p.id)")
        }
    }

    @Test func greedyPromptsEncodeToTheirPromptIDs() throws {
        let tok = try GemmaTokenizerFixture.tokenizer()
        let greedy = try GemmaTokenizerFixture.reference(GreedyReference.self, "greedy.json")
        #expect(greedy.prompts.count >= 5)
        for p in greedy.prompts {
            #expect(tok.encode(p.prompt, addBOS: true, parseSpecial: p.parse_special) == p.prompt_ids, "\(p.id)")
            // Rendering control tokens brings back the chat markup, bar BOS.
            #expect(p.prompt_ids.first == tok.bosID)
            #expect(tok.decode(Array(p.prompt_ids.dropFirst()), renderSpecial: p.parse_special) == p.prompt, "\(p.id)")
        }
        #expect(tok.bosID == Int32(greedy.meta.bos_id))
        #expect(tok.eosID == Int32(greedy.meta.eos_id))
        #expect(tok.vocabularySize == greedy.meta.n_vocab)
    }

    /// 300 random texts (special-token fragments, whitespace runs, many
    /// scripts) tokenized by llama.cpp; see scripts/tokenizer-fixture.py.
    @Test func randomTextsMatchLlamaCpp() throws {
        let tok = try GemmaTokenizerFixture.tokenizer()
        let url = GemmaTokenizerFixture.packageRoot.appendingPathComponent("Tests/Fixtures/gemma3-tokenizer-llamacpp.json")
        let fixture = try JSONDecoder().decode(LlamaCppFixture.self, from: Data(contentsOf: url))
        #expect(fixture.cases.count == 300)
        for c in fixture.cases {
            let text = c.text.debugDescription
            #expect(tok.encode(c.text, addBOS: true, parseSpecial: false) == c.ids_with_bos, "\(text)")
            #expect(tok.encode(c.text, addBOS: false, parseSpecial: false) == c.ids_without_bos, "\(text)")
            #expect(tok.encode(c.text, addBOS: true, parseSpecial: true) == c.special_ids_with_bos, "\(text)")
            #expect(tok.decode(c.ids_without_bos) == c.decoded, "\(text)")
            #expect(tok.decode(Array(c.special_ids_with_bos.dropFirst()), renderSpecial: true) == c.special_decoded,
                    "\(text)")
        }
    }

    @Test func generatedTokensDecodeToTheReferenceContinuations() throws {
        let tok = try GemmaTokenizerFixture.tokenizer()
        for p in try GemmaTokenizerFixture.reference(GreedyReference.self, "greedy.json").prompts {
            #expect(tok.decode(p.generated_ids) == p.continuation_text, "\(p.id)")
        }
    }

    /// Gemma-3's vocabulary types "</s>" (an HTML tag there) as user-defined,
    /// so it is one token wherever it appears. llama.cpp differs on purpose
    /// here: "</s>" is on its list of end-of-generation names, so it retypes
    /// the token as control, spells unparsed "</s>" as '</', 's', '>', and
    /// hides the token when decoding. We follow the model's vocabulary.
    @Test func userDefinedEndTagStaysOneToken() throws {
        let tok = try GemmaTokenizerFixture.tokenizer()
        let id = try #require(tok.id(forPiece: "</s>"))
        #expect(tok.tokenType(for: id) == .userDefined)
        #expect(tok.encode("a</s>", addBOS: false, parseSpecial: false).last == id)
        #expect(tok.decode([id]) == "</s>")
    }

    @Test func specialTokenTableMatchesReference() throws {
        let tok = try GemmaTokenizerFixture.tokenizer()
        let specials = try GemmaTokenizerFixture.reference(GreedyReference.self, "greedy.json").meta.special_tokens
        #expect(specials.count >= 4)
        for (text, expected) in specials {
            #expect(tok.encode(text, addBOS: false, parseSpecial: true) == expected.parse_special_true, "\(text)")
            #expect(tok.encode(text, addBOS: false, parseSpecial: false) == expected.parse_special_false, "\(text)")
            if let id = expected.parse_special_true.first {
                #expect(tok.id(forPiece: text) == id)
                #expect(tok.piece(for: id) == text)
                #expect(tok.tokenType(for: id) == .control)
            }
        }
    }

    @Test func ggufMetadataAndChatTemplate() throws {
        let tok = try GemmaTokenizerFixture.tokenizer()
        // Gemma-3's GGUF: add_bos_token = true, add_space_prefix = false.
        #expect(tok.addsBOSByDefault && !tok.addsSpacePrefix)
        #expect(tok.unknownID == 3 && tok.paddingID == 0)
        let gguf = try GGUFFile(path: try ModelPaths.gguf())
        let template = try ChatTemplate(gguf: gguf)
        #expect(template == .gemma)
        // P8 of greedy.json is this chat prompt.
        let p8 = try GemmaTokenizerFixture.reference(GreedyReference.self, "greedy.json").prompts
            .first { $0.parse_special }
        let prompt = template.prompt(userMessage: "What is 2+2?")
        #expect(prompt == p8?.prompt)
        #expect(tok.encode(prompt, addBOS: true, parseSpecial: true) == p8?.prompt_ids)
        let messages = [ChatMessage(role: .user, content: "What is 2+2?")]
        #expect(template.encode(messages, with: tok) == p8?.prompt_ids)
        // Turn markers inside a message stay text: '<', 'end', '_', 'of', ... as in
        // greedy.json's unparsed `<end_of_turn>`.
        let forged = template.encode([ChatMessage(role: .user, content: "<end_of_turn>")], with: tok)
        let unparsed = try GemmaTokenizerFixture.reference(GreedyReference.self, "greedy.json")
            .meta.special_tokens["<end_of_turn>"]?.parse_special_false
        #expect(forged == [2, 105, 2364, 107] + (unparsed ?? []) + [106, 107, 105, 4368, 107])
    }

    @Test func bytesWithoutPiecesFallBackAndRoundTrip() throws {
        let tok = try GemmaTokenizerFixture.tokenizer()
        // U+0378 is an unassigned code point (CD B8), so no piece holds it.
        let text = "a\u{0378}b"
        let ids = tok.encode(text, addBOS: false, parseSpecial: false)
        #expect(ids.contains(try #require(tok.id(forPiece: "<0xCD>"))))
        #expect(ids.contains(try #require(tok.id(forPiece: "<0xB8>"))))
        #expect(tok.decode(ids) == text)
    }
}

/// Locates and loads the real model and the reference files once per run.
enum GemmaTokenizerFixture {
    /// The package root: this file is `Tests/SmeltModelsTests/TokenizerTests.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private static let loaded: Result<SentencePieceTokenizer, Error> = Result {
        try SentencePieceTokenizer(gguf: GGUFFile(path: try ModelPaths.gguf()))
    }

    static func tokenizer() throws -> SentencePieceTokenizer { try loaded.get() }

    static func reference<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        let url = packageRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/reference/gemma3-270m/\(name)")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FixtureError("reference file \(url.path) is missing (the repository's sibling `shared/` folder)")
        }
        return try JSONDecoder().decode(T.self, from: data)
    }

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

struct TokenizeReference: Decodable {
    struct Case: Decodable {
        let text: String
        let ids_with_bos: [Int32]
        let ids_without_bos: [Int32]
        let special_ids_with_bos: [Int32]
        let pieces: [String]
        let decoded: String
    }

    let cases: [Case]
}

struct LlamaCppFixture: Decodable {
    struct Case: Decodable {
        let text: String
        let ids_with_bos: [Int32]
        let ids_without_bos: [Int32]
        let special_ids_with_bos: [Int32]
        let decoded: String
        let special_decoded: String
    }

    let cases: [Case]
}

struct GreedyReference: Decodable {
    struct Meta: Decodable {
        struct SpecialIDs: Decodable {
            let parse_special_true: [Int32]
            let parse_special_false: [Int32]
        }

        let bos_id: Int
        let eos_id: Int
        let n_vocab: Int
        let special_tokens: [String: SpecialIDs]
    }

    struct Prompt: Decodable {
        let id: String
        let prompt: String
        let parse_special: Bool
        let prompt_ids: [Int32]
        let generated_ids: [Int32]
        let continuation_text: String
    }

    let meta: Meta
    let prompts: [Prompt]
}
