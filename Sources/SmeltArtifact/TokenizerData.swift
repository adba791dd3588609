/// A SentencePiece vocabulary as plain data, so the artifact can carry the
/// tokenizer without depending on SmeltModels; the engine converts it to and
/// from `SentencePieceTokenizer` (whose initializer takes the same fields).
public struct TokenizerData: Codable, Sendable, Equatable {
    /// GGUF's `tokenizer.ggml.model`; "llama" is SentencePiece BPE.
    public var model: String
    public var tokens: [String]
    public var scores: [Float]
    /// GGUF `tokenizer.ggml.token_type` values (1 normal ... 6 byte).
    public var tokenTypes: [Int32]
    public var bosID: Int32
    public var eosID: Int32
    public var unknownID: Int32?
    public var paddingID: Int32?
    public var addBOS: Bool
    public var addSpacePrefix: Bool
    /// `tokenizer.chat_template` as written in the checkpoint, if any.
    public var chatTemplate: String?
    /// `general.architecture`: picks the chat format when there is no template.
    public var architecture: String?

    public init(model: String = "llama", tokens: [String], scores: [Float], tokenTypes: [Int32],
                bosID: Int32, eosID: Int32, unknownID: Int32? = nil, paddingID: Int32? = nil,
                addBOS: Bool, addSpacePrefix: Bool, chatTemplate: String? = nil, architecture: String? = nil) {
        self.model = model
        self.tokens = tokens
        self.scores = scores
        self.tokenTypes = tokenTypes
        self.bosID = bosID
        self.eosID = eosID
        self.unknownID = unknownID
        self.paddingID = paddingID
        self.addBOS = addBOS
        self.addSpacePrefix = addSpacePrefix
        self.chatTemplate = chatTemplate
        self.architecture = architecture
    }
}
