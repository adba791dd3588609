import Foundation
import Testing
@testable import SmeltModels

/// SentencePiece BPE on a hand-built vocabulary, where every expected id
/// sequence is worked out from the algorithm's definition in the comments.
struct TokenizerToyVocabularyTests {
    /// The toy vocabulary, in id order: (text, score, type). 3 control,
    /// 2 unknown, 4 user-defined, 1 normal. The 256 byte tokens follow at
    /// `byteBase`, so byte b is id `byteBase + b`.
    static let entries: [(String, Float, Int32)] = [
        ("<pad>", 0, 3), ("<eos>", 0, 3), ("<bos>", 0, 3), ("<unk>", 0, 2),  // 0-3
        ("<t>", 0, 3), ("<u>", 0, 4), ("\n", 0, 4), ("\n\n", 0, 4),          // 4-7
        ("xy", 0, 4), ("yzw", 0, 4),                                         // 8-9
        ("▁", -10, 1), ("a", -10, 1), ("b", -10, 1), ("c", -10, 1),          // 10-13
        ("ab", -2, 1), ("bc", -1, 1), ("▁a", -3, 1), ("ca", -2, 1),          // 14-17
        ("<", -10, 1), (">", -10, 1), ("t", -10, 1), ("x", -10, 1),          // 18-21
        ("z", -10, 1), ("aa", -1, 1), ("aaaa", -2, 1),                       // 22-24
    ]
    static let byteBase: Int32 = 25
    static func byte(_ b: UInt8) -> Int32 { byteBase + Int32(b) }

    static func make(spacePrefix: Bool = false) throws -> SentencePieceTokenizer {
        var tokens = entries.map(\.0), scores = entries.map(\.1), types = entries.map(\.2)
        for b in 0 ..< 256 {
            let hex = String(b, radix: 16, uppercase: true)
            tokens.append("<0x\(hex.count == 1 ? "0" + hex : hex)>")
            scores.append(0)
            types.append(6)
        }
        return try SentencePieceTokenizer(tokens: tokens, scores: scores, tokenTypes: types,
                                          bosID: 2, eosID: 1, unknownID: 3, paddingID: 0,
                                          addBOS: true, addSpacePrefix: spacePrefix)
    }

    let tok: SentencePieceTokenizer
    init() throws { tok = try Self.make() }

    func ids(_ text: String, special: Bool = false) -> [Int32] {
        tok.encode(text, addBOS: false, parseSpecial: special)
    }

    @Test func highestScoringPairMergesFirst() {
        // a b c: "bc" (-1) outranks "ab" (-2); "abc" is no piece.
        #expect(ids("abc") == [11, 15])
        #expect(ids("ab") == [14])
        // ▁ a b: "ab" (-2) outranks "▁a" (-3), and "▁ab" is no piece.
        #expect(ids(" ab") == [10, 14])
    }

    @Test func equalScoresMergeLeftmostFirst() {
        // c a b: "ca" and "ab" both score -2; the left pair wins.
        #expect(ids("cab") == [17, 12])
        // a a a a: three "aa" pairs tie; merging left to right gives aa|aa,
        // which then joins into "aaaa". Three a's leave aa|a.
        #expect(ids("aaaa") == [24])
        #expect(ids("aaa") == [23, 11])
    }

    @Test(arguments: [0, 48, Int.max])
    func longWordsMergeTheSameWithHeapOrScan(linearLimit: Int) {
        var tok = tok
        tok.merger.linearLimit = linearLimit
        // 50 a's: every "aa" (-1) forms, left to right, before any "aaaa" (-2);
        // the 25 "aa" then pair up from the left: 12 × "aaaa" and one "aa".
        let a50 = String(repeating: "a", count: 50)
        #expect(tok.encode(a50, addBOS: false, parseSpecial: false) == Array(repeating: 24, count: 12) + [23])
        #expect(tok.encode("cab cab", addBOS: false, parseSpecial: false) == [17, 12, 10, 17, 12])
        // ▁ a b c: "bc" (-1) first; then "▁a" (-3) is the only pair left that is a piece.
        #expect(tok.encode(" abc", addBOS: false, parseSpecial: false) == [16, 15])
    }

    @Test func charactersWithoutPiecesFallBackToBytes() {
        // "é" is C3 A9 in UTF-8 and has no piece.
        #expect(ids("é") == [Self.byte(0xC3), Self.byte(0xA9)])
        // "ab" still merges next to a byte-fallback character.
        #expect(ids("éab") == [Self.byte(0xC3), Self.byte(0xA9), 14])
        #expect(tok.decode([Self.byte(0xC3), Self.byte(0xA9), 14]) == "éab")
    }

    @Test func controlTokensParseOnlyWhenAsked() {
        #expect(ids("a<t>b<u>", special: true) == [11, 4, 12, 5])
        // Unparsed, "<t>" is three characters ("<t" and "t>" are no pieces),
        // while the user-defined "<u>" is always one token.
        #expect(ids("a<t>b<u>", special: false) == [11, 18, 20, 19, 12, 5])
        #expect(ids("<bos>", special: true) == [2])
    }

    @Test func longerSpecialTokensAreCutFirst() {
        // "\n\n" before "\n".
        #expect(ids("\n\n\n") == [7, 6])
        // "yzw" (3 bytes) is cut before "xy" (2 bytes) although "xy" starts
        // earlier, so "x" is left as text.
        #expect(ids("xyzw") == [21, 9])
        #expect(ids("xyx") == [8, 21])
    }

    @Test func bosAndEmptyText() {
        #expect(tok.encode("ab", addBOS: true, parseSpecial: false) == [2, 14])
        #expect(tok.encode("ab") == [2, 14])
        #expect(tok.encode("", addBOS: true, parseSpecial: false) == [2])
        #expect(ids("") == [])
    }

    @Test func spacePrefixGoesBeforeEachTextRun() throws {
        let prefixed = try Self.make(spacePrefix: true)
        // "a" becomes "▁a"; after a special token the prefix is added again.
        #expect(prefixed.encode("a", addBOS: false, parseSpecial: false) == [16])
        #expect(prefixed.encode("<t>a", addBOS: false, parseSpecial: true) == [4, 16])
        #expect(prefixed.decode([2, 16, 12]) == "ab")
    }

    @Test func decodeSkipsControlTokensUnlessRendered() {
        let ids: [Int32] = [2, 16, 6, Self.byte(0xC3), Self.byte(0xA9), 5, 1]
        #expect(tok.decode(ids) == " a\né<u>")
        #expect(tok.decode(ids, renderSpecial: true) == "<bos> a\né<u><eos>")
        #expect(tok.decode([-1, 100_000]) == "")
        // The unknown token is special too: hidden unless rendered.
        #expect(tok.decode([3, 11]) == "a")
        #expect(tok.decode([3, 11], renderSpecial: true) == "<unk>a")
    }

    @Test func streamDecoderHoldsBackSplitCharacters() {
        var stream = TokenStreamDecoder(tokenizer: tok)
        #expect(stream.append(11) == "a")
        #expect(stream.append(Self.byte(0xC3)) == "")
        #expect(stream.append(Self.byte(0xA9)) == "é")
        #expect(stream.append(Self.byte(0xE2)) == "")
        #expect(stream.finish() == "\u{FFFD}")
    }

    @Test func lookups() {
        #expect(tok.vocabularySize == 25 + 256)
        #expect(tok.id(forPiece: "▁a") == 16)
        #expect(tok.id(forPiece: "<0x41>") == Self.byte(0x41))
        #expect(tok.id(forPiece: "missing") == nil)
        #expect(tok.piece(for: 16) == "▁a")
        #expect(tok.piece(for: 10_000) == nil)
        #expect(tok.tokenType(for: 5) == .userDefined)
        #expect(tok.score(for: 15) == -1)
    }

    @Test func vocabularyRoundTripsThroughCodable() throws {
        let vocabulary = tok.vocabulary
        #expect(vocabulary.tokens.count == 25 + 256 && vocabulary.tokens[16] == "▁a")
        #expect(vocabulary.tokenTypes[5] == 4 && vocabulary.scores[15] == -1 && vocabulary.unknownID == 3)
        let data = try JSONEncoder().encode(vocabulary)
        let rebuilt = try SentencePieceTokenizer(JSONDecoder().decode(SentencePieceVocabulary.self, from: data))
        #expect(rebuilt.vocabulary == vocabulary)
        #expect(rebuilt.encode("a<t>b cab", addBOS: true, parseSpecial: true) == [2, 11, 4, 12, 10, 17, 12])
    }

    @Test func badVocabulariesAreRejectedWithReasons() {
        #expect(throws: TokenizerError.lengthMismatch(field: "scores", count: 1, expected: 2)) {
            try SentencePieceTokenizer(tokens: ["a", "b"], scores: [0], tokenTypes: [1, 1], bosID: 0, eosID: 0)
        }
        #expect(throws: TokenizerError.unknownTokenType(tokenID: 1, value: 9)) {
            try SentencePieceTokenizer(tokens: ["a", "b"], scores: [0, 0], tokenTypes: [1, 9], bosID: 0, eosID: 0)
        }
        #expect(throws: TokenizerError.specialIDOutOfRange(name: "eos", id: 7, vocabularySize: 2)) {
            try SentencePieceTokenizer(tokens: ["a", "b"], scores: [0, 0], tokenTypes: [1, 1], bosID: 0, eosID: 7)
        }
        #expect(throws: TokenizerError.malformedByteToken(tokenID: 1, text: "<0xZZ>")) {
            try SentencePieceTokenizer(tokens: ["a", "<0xZZ>"], scores: [0, 0], tokenTypes: [1, 6], bosID: 0, eosID: 0)
        }
        // Byte 0x00 has no token and there is no unknown token.
        #expect(throws: TokenizerError.noTokenForByte(0)) {
            try SentencePieceTokenizer(tokens: ["a", "b"], scores: [0, 0], tokenTypes: [1, 1], bosID: 0, eosID: 0)
        }
        let message = TokenizerError.unknownTokenType(tokenID: 1, value: 9).description
        #expect(message.contains("token 1") && message.contains("type 9"))
    }

    @Test func chatTemplateRecognisesGemma() throws {
        let gemma = try ChatTemplate(jinja: "{{ bos_token }}{% for m in messages %}<start_of_turn>"
            + "{{ m['role'] }}\n{{ m['content'] }}<end_of_turn>\n{% endfor %}")
        #expect(gemma == .gemma)
        #expect(gemma.prompt(userMessage: "Hi") == "<start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n")
        let convo = gemma.render([
            ChatMessage(role: .system, content: "Be brief."),
            ChatMessage(role: .user, content: " Hi \n"),
            ChatMessage(role: .assistant, content: "Hello."),
        ], addGenerationPrompt: false)
        #expect(convo == "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n"
            + "<start_of_turn>model\nHello.<end_of_turn>\n")
        #expect(throws: TokenizerError.self) { try ChatTemplate(jinja: "<|im_start|>{{ role }}") }
        #expect(try ChatTemplate(metadataTemplate: nil, architecture: "gemma3") == .gemma)
        #expect(throws: TokenizerError.missingMetadata(key: "tokenizer.chat_template")) {
            try ChatTemplate(metadataTemplate: nil, architecture: "llama")
        }
    }
}
