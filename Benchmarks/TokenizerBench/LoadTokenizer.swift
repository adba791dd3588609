import SmeltModels

/// The tokenizer stored in the GGUF at `path`.
func loadTokenizer(path: String) throws -> SentencePieceTokenizer {
    try SentencePieceTokenizer(gguf: GGUFFile(path: path))
}
