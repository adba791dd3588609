/// Why a tokenizer could not be built from the data it was given. Each case
/// names the field or token at fault so a bad vocabulary can be fixed.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// Two parallel vocabulary arrays disagree in length.
    case lengthMismatch(field: String, count: Int, expected: Int)
    /// The vocabulary has no tokens at all.
    case emptyVocabulary
    /// A token type outside 1...6 (normal, unknown, control, user-defined, unused, byte).
    case unknownTokenType(tokenID: Int, value: Int32)
    /// A special token id (bos, eos, ...) that is not a valid index.
    case specialIDOutOfRange(name: String, id: Int32, vocabularySize: Int)
    /// A byte token whose text is not `<0xNN>`.
    case malformedByteToken(tokenID: Int, text: String)
    /// A byte has neither a byte token nor a single-byte piece, and there is
    /// no unknown token to stand in for it.
    case noTokenForByte(UInt8)
    /// A required metadata key is missing or has the wrong type.
    case missingMetadata(key: String)
    /// The metadata names a tokenizer model this type does not implement.
    case unsupportedModel(key: String, value: String)
    /// A chat template that is not one of the recognised formats.
    case unknownChatTemplate(excerpt: String)

    public var description: String {
        switch self {
        case let .lengthMismatch(field, count, expected):
            return "tokenizer: \(field) has \(count) entries but the vocabulary has \(expected) tokens"
        case .emptyVocabulary:
            return "tokenizer: the vocabulary is empty"
        case let .unknownTokenType(id, value):
            return "tokenizer: token \(id) has type \(value); expected 1 (normal), 2 (unknown), 3 (control), "
                + "4 (user-defined), 5 (unused) or 6 (byte)"
        case let .specialIDOutOfRange(name, id, size):
            return "tokenizer: \(name) id \(id) is outside the vocabulary (0..<\(size))"
        case let .malformedByteToken(id, text):
            return "tokenizer: token \(id) is typed as a byte token but its text \(text.debugDescription) is not <0xNN>"
        case let .noTokenForByte(byte):
            let hex = String(byte, radix: 16, uppercase: true)
            return "tokenizer: byte 0x\(hex.count == 1 ? "0" + hex : hex) has no <0xNN> token or single-byte piece, "
                + "and there is no unknown token to use instead"
        case let .missingMetadata(key):
            return "tokenizer: GGUF metadata key '\(key)' is missing or has the wrong type"
        case let .unsupportedModel(key, value):
            return "tokenizer: \(key) is '\(value)'; only the SentencePiece model 'llama' is supported"
        case let .unknownChatTemplate(excerpt):
            return "tokenizer: unrecognised chat template (only Gemma's <start_of_turn>/<end_of_turn> format is "
                + "supported); it begins \(excerpt.debugDescription)"
        }
    }
}
