import SmeltArtifact
import SmeltIR
import SmeltModels

/// What the CLI needs of a model besides its backend: a name to report and
/// the tokenizer, whether it came from a checkpoint or from an artifact.
public struct ModelInfo {
    public var name: String
    public var tokenizer: SentencePieceTokenizer?
    public var chatTemplate: ChatTemplate?

    public init(_ loaded: LoadedModel) {
        name = loaded.config.name
        tokenizer = loaded.tokenizer
        chatTemplate = loaded.chatTemplate
    }

    public init(artifact: Artifact) throws {
        name = artifact.manifest.modelName
        let stored = artifact.tokenizer
        tokenizer = stored.model == TokenizerData.none.model ? nil : try stored.makeTokenizer()
        chatTemplate = tokenizer == nil ? nil : try? stored.makeChatTemplate()
    }

    /// The tokenizer, or an error saying this model has none.
    public func requireTokenizer() throws -> SentencePieceTokenizer {
        guard let tokenizer else {
            throw SmeltError("model '\(name)' has no tokenizer; give token ids instead (--prompt-ids / --ids)")
        }
        return tokenizer
    }
}
