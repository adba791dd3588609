/// One turn of a conversation, as given to a `ChatTemplate`.
public struct ChatMessage: Sendable, Equatable {
    /// Who speaks. Gemma calls the assistant "model" and has no system turn.
    public enum Role: String, Sendable {
        case system, user, assistant
    }

    public var role: Role
    public var content: String

    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }
}

/// A model's prompt format for conversations, recognised from GGUF's
/// `tokenizer.chat_template` (a Jinja template we do not execute).
///
/// Only Gemma's format is known so far:
/// `<start_of_turn>user\n{msg}<end_of_turn>\n<start_of_turn>model\n`.
/// `encode(_:with:)` gives token ids directly; text from `render(_:)`
/// carries no BOS, so encode it with `addBOS: true, parseSpecial: true`.
public enum ChatTemplate: Sendable, Equatable {
    case gemma

    /// Recognises `template` by its markers; throws for a format we do not know.
    public init(jinja template: String) throws {
        if template.contains("<start_of_turn>") && template.contains("<end_of_turn>") {
            self = .gemma
        } else {
            throw TokenizerError.unknownChatTemplate(excerpt: String(template.prefix(80)))
        }
    }

    /// The template for a model from its GGUF metadata.
    ///
    /// Base (non-chat) checkpoints such as gemma-3-270m ship no
    /// `tokenizer.chat_template`; their vocabulary still has Gemma's turn
    /// markers, so a Gemma-family architecture without a template gets the
    /// Gemma format. Any other architecture without one is an error.
    public init(metadataTemplate template: String?, architecture: String?) throws {
        if let template {
            try self.init(jinja: template)
        } else if let architecture, architecture.lowercased().hasPrefix("gemma") {
            self = .gemma
        } else {
            throw TokenizerError.missingMetadata(key: "tokenizer.chat_template")
        }
    }

    /// The prompt text for `messages`, ending with the opening of the
    /// model's turn when `addGenerationPrompt` is set.
    ///
    /// As in Gemma's own template, each message is trimmed of surrounding
    /// whitespace, the assistant's role is written "model", and a system
    /// message becomes a paragraph at the start of the first user turn.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
        segments(messages, addGenerationPrompt: addGenerationPrompt).map(\.text).joined()
    }

    /// The prompt's token ids, BOS first. The template's markup is parsed
    /// for special tokens but the messages are not, so a message that
    /// contains "<end_of_turn>" cannot end its turn early. Where messages
    /// hold no special-token text this equals encoding `render(_:)` with
    /// `parseSpecial: true`: each message sits between a newline and a
    /// control token, where the tokenizer splits anyway.
    public func encode(_ messages: [ChatMessage], addGenerationPrompt: Bool = true,
                       with tokenizer: SentencePieceTokenizer) -> [Int32] {
        var ids = [tokenizer.bosID]
        for segment in segments(messages, addGenerationPrompt: addGenerationPrompt) {
            ids += tokenizer.encode(segment.text, addBOS: false, parseSpecial: segment.isMarkup)
        }
        return ids
    }

    /// The rendered prompt as alternating markup and message text.
    private func segments(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> [(text: String, isMarkup: Bool)] {
        var out: [(text: String, isMarkup: Bool)] = []
        var systemPrefix = ""
        func turn(_ role: String, _ content: String) {
            out.append(("<start_of_turn>\(role)\n", true))
            out.append((systemPrefix + content, false))
            out.append(("<end_of_turn>\n", true))
            systemPrefix = ""
        }
        for message in messages {
            let content = trimmed(message.content)
            switch message.role {
            case .system: systemPrefix += content + "\n\n"
            case .user: turn("user", content)
            case .assistant: turn("model", content)
            }
        }
        if !systemPrefix.isEmpty { turn("user", "") }
        if addGenerationPrompt { out.append(("<start_of_turn>model\n", true)) }
        return out.filter { !$0.text.isEmpty }
    }

    /// The prompt for a single user message, ready for the model's reply.
    public func prompt(userMessage: String) -> String {
        render([ChatMessage(role: .user, content: userMessage)])
    }
}

private func trimmed(_ text: String) -> String {
    var scalars = Substring(text).unicodeScalars
    while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
    while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
    return String(scalars)
}
