import SmeltArtifact
import SmeltModels

/// Moving the tokenizer in and out of an artifact: SmeltArtifact keeps it as
/// plain `TokenizerData` (it cannot see SmeltModels), the engine uses
/// `SentencePieceTokenizer`.
extension TokenizerData {
    /// The data to store for `vocabulary`, with the checkpoint's chat
    /// template text and architecture so `ChatTemplate` can be rebuilt.
    public init(_ vocabulary: SentencePieceVocabulary, chatTemplate: String?, architecture: String?) {
        self.init(model: "llama", tokens: vocabulary.tokens, scores: vocabulary.scores,
                  tokenTypes: vocabulary.tokenTypes, bosID: vocabulary.bosID, eosID: vocabulary.eosID,
                  unknownID: vocabulary.unknownID, paddingID: vocabulary.paddingID, addBOS: vocabulary.addBOS,
                  addSpacePrefix: vocabulary.addSpacePrefix, chatTemplate: chatTemplate, architecture: architecture)
    }

    /// The vocabulary to build a `SentencePieceTokenizer` from.
    public var vocabulary: SentencePieceVocabulary {
        SentencePieceVocabulary(tokens: tokens, scores: scores, tokenTypes: tokenTypes, bosID: bosID, eosID: eosID,
                                unknownID: unknownID, paddingID: paddingID, addBOS: addBOS,
                                addSpacePrefix: addSpacePrefix)
    }

    /// The tokenizer; throws when the model is not SentencePiece or the data
    /// is inconsistent.
    public func makeTokenizer() throws -> SentencePieceTokenizer {
        guard model == "llama" else {
            throw TokenizerError.unsupportedModel(key: "tokenizer.ggml.model", value: model)
        }
        return try SentencePieceTokenizer(vocabulary)
    }

    /// The chat format, as `ChatTemplate(gguf:)` would pick it.
    public func makeChatTemplate() throws -> ChatTemplate {
        try ChatTemplate(metadataTemplate: chatTemplate, architecture: architecture)
    }
}
