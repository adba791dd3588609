extension SentencePieceTokenizer {
    /// Reads the tokenizer from a GGUF file's `tokenizer.ggml.*` metadata.
    ///
    /// `tokenizer.ggml.model` must be `llama` (SentencePiece). The tokens,
    /// scores, token types and the bos/eos ids are required; the unknown and
    /// padding ids are optional. `add_bos_token` and `add_space_prefix`
    /// default to true when absent, as llama.cpp does for this model type
    /// (Gemma-3 stores `add_space_prefix = false`).
    public init(gguf: GGUFFile) throws {
        let model = try gguf.string("tokenizer.ggml.model")
        guard model == "llama" else {
            throw TokenizerError.unsupportedModel(key: "tokenizer.ggml.model", value: model)
        }
        let types = try gguf.intArray("tokenizer.ggml.token_type")
        var tokenTypes: [Int32] = []
        tokenTypes.reserveCapacity(types.count)
        for (id, type) in types.enumerated() {
            guard let narrow = Int32(exactly: type) else {
                throw TokenizerError.unknownTokenType(tokenID: id, value: Int32(clamping: type))
            }
            tokenTypes.append(narrow)
        }
        try self.init(
            tokens: try gguf.stringArray("tokenizer.ggml.tokens"),
            scores: try gguf.floatArray("tokenizer.ggml.scores"),
            tokenTypes: tokenTypes,
            bosID: try Self.tokenID(gguf, "tokenizer.ggml.bos_token_id"),
            eosID: try Self.tokenID(gguf, "tokenizer.ggml.eos_token_id"),
            unknownID: gguf.contains("tokenizer.ggml.unknown_token_id")
                ? try Self.tokenID(gguf, "tokenizer.ggml.unknown_token_id") : nil,
            paddingID: gguf.contains("tokenizer.ggml.padding_token_id")
                ? try Self.tokenID(gguf, "tokenizer.ggml.padding_token_id") : nil,
            addBOS: gguf.contains("tokenizer.ggml.add_bos_token")
                ? try gguf.bool("tokenizer.ggml.add_bos_token") : true,
            addSpacePrefix: gguf.contains("tokenizer.ggml.add_space_prefix")
                ? try gguf.bool("tokenizer.ggml.add_space_prefix") : true
        )
    }

    /// A token id from metadata. Values beyond Int32 are clamped, which keeps
    /// them out of range, so the main initializer reports them.
    private static func tokenID(_ gguf: GGUFFile, _ key: String) throws -> Int32 {
        Int32(clamping: try gguf.int(key))
    }
}

extension ChatTemplate {
    /// The chat format of a GGUF model, from `tokenizer.chat_template` or,
    /// for Gemma base models that ship none, from `general.architecture`.
    public init(gguf: GGUFFile) throws {
        let template = gguf.contains("tokenizer.chat_template") ? try gguf.string("tokenizer.chat_template") : nil
        let architecture = gguf.contains("general.architecture") ? try gguf.string("general.architecture") : nil
        try self.init(metadataTemplate: template, architecture: architecture)
    }
}
