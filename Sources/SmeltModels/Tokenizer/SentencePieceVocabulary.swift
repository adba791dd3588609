/// The plain data a `SentencePieceTokenizer` is built from, in GGUF's
/// layout. `Codable`, so an artifact can store the tokenizer without the
/// source GGUF and rebuild it with `SentencePieceTokenizer(_:)`.
public struct SentencePieceVocabulary: Codable, Sendable, Equatable {
    public var tokens: [String]
    public var scores: [Float]
    /// GGUF `token_type` values: 1 normal, 2 unknown, 3 control,
    /// 4 user-defined, 5 unused, 6 byte.
    public var tokenTypes: [Int32]
    public var bosID: Int32
    public var eosID: Int32
    public var unknownID: Int32?
    public var paddingID: Int32?
    public var addBOS: Bool
    public var addSpacePrefix: Bool

    public init(tokens: [String], scores: [Float], tokenTypes: [Int32], bosID: Int32, eosID: Int32,
                unknownID: Int32? = nil, paddingID: Int32? = nil, addBOS: Bool = true, addSpacePrefix: Bool = false) {
        self.tokens = tokens
        self.scores = scores
        self.tokenTypes = tokenTypes
        self.bosID = bosID
        self.eosID = eosID
        self.unknownID = unknownID
        self.paddingID = paddingID
        self.addBOS = addBOS
        self.addSpacePrefix = addSpacePrefix
    }
}

extension SentencePieceTokenizer {
    /// Builds the tokenizer from `vocabulary`; throws `TokenizerError` naming
    /// the field or token when the data is inconsistent.
    public init(_ vocabulary: SentencePieceVocabulary) throws {
        try self.init(tokens: vocabulary.tokens, scores: vocabulary.scores, tokenTypes: vocabulary.tokenTypes,
                      bosID: vocabulary.bosID, eosID: vocabulary.eosID, unknownID: vocabulary.unknownID,
                      paddingID: vocabulary.paddingID, addBOS: vocabulary.addBOS,
                      addSpacePrefix: vocabulary.addSpacePrefix)
    }

    /// The data this tokenizer was built from (rebuilt on each call).
    public var vocabulary: SentencePieceVocabulary {
        SentencePieceVocabulary(
            tokens: (0 ..< table.count).map { String(decoding: table.bytes(of: Int32($0)), as: UTF8.self) },
            scores: scores, tokenTypes: types.map(\.rawValue), bosID: bosID, eosID: eosID,
            unknownID: unknownID, paddingID: paddingID, addBOS: addsBOSByDefault, addSpacePrefix: addsSpacePrefix)
    }
}
