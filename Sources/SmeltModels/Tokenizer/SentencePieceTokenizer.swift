/// The SentencePiece BPE tokenizer of GGUF's `tokenizer.ggml.model == "llama"`
/// (Llama, Gemma), built from plain vocabulary arrays.
///
/// Encoding follows llama.cpp, against which the model's reference token ids
/// were produced: special tokens are cut out first (user-defined ones always,
/// control ones when `parseSpecial` is set), each remaining run of text has
/// its spaces replaced by U+2581 '▁' and is merged by piece score, and
/// characters without a piece fall back to `<0xNN>` byte tokens.
public struct SentencePieceTokenizer: Sendable {
    /// SentencePiece's token kinds, with GGUF's `tokenizer.ggml.token_type` values.
    public enum TokenType: Int32, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    public let bosID: Int32
    public let eosID: Int32
    public let unknownID: Int32?
    public let paddingID: Int32?
    /// Whether `encode(_:)` adds BOS (GGUF `tokenizer.ggml.add_bos_token`).
    public let addsBOSByDefault: Bool
    /// Whether each run of text after a special token (or at the start) gets
    /// a leading space (GGUF `tokenizer.ggml.add_space_prefix`; false for Gemma-3).
    public let addsSpacePrefix: Bool

    let table: PieceTable
    let scores: [Float]
    let types: [TokenType]
    let splitter: SpecialTokenSplitter
    var merger: PieceMerger
    /// What each token contributes to decoded text; see `appendDecoded`.
    let decodedPool: [UInt8]
    let decodedOffsets: [Int32]

    /// Builds a tokenizer from the vocabulary's parallel arrays, as stored in
    /// GGUF (`tokenizer.ggml.tokens`, `.scores`, `.token_type`).
    public init(
        tokens: [String], scores: [Float], tokenTypes: [Int32],
        bosID: Int32, eosID: Int32, unknownID: Int32? = nil, paddingID: Int32? = nil,
        addBOS: Bool = true, addSpacePrefix: Bool = false
    ) throws {
        let size = tokens.count
        guard size > 0 else { throw TokenizerError.emptyVocabulary }
        guard scores.count == size else {
            throw TokenizerError.lengthMismatch(field: "scores", count: scores.count, expected: size)
        }
        guard tokenTypes.count == size else {
            throw TokenizerError.lengthMismatch(field: "token types", count: tokenTypes.count, expected: size)
        }
        for (name, id) in [("bos", bosID), ("eos", eosID), ("unknown", unknownID), ("padding", paddingID)] {
            if let id, id < 0 || Int(id) >= size {
                throw TokenizerError.specialIDOutOfRange(name: name, id: id, vocabularySize: size)
            }
        }
        var types: [TokenType] = []
        types.reserveCapacity(size)
        for (id, raw) in tokenTypes.enumerated() {
            guard let type = TokenType(rawValue: raw) else {
                throw TokenizerError.unknownTokenType(tokenID: id, value: raw)
            }
            types.append(type)
        }

        let table = PieceTable(pieces: tokens)
        var byteTokens = [Int32](repeating: -1, count: 256)
        var decodedPool: [UInt8] = []
        var decodedOffsets: [Int32] = [0]
        var specials: [(id: Int32, bytes: ArraySlice<UInt8>, alwaysSplit: Bool)] = []
        decodedPool.reserveCapacity(table.pool.count)
        decodedOffsets.reserveCapacity(size + 1)
        for id in 0 ..< size {
            let text = table.bytes(of: Int32(id))
            switch types[id] {
            case .normal:
                appendUnescaped(text, to: &decodedPool)
            case .userDefined:
                decodedPool.append(contentsOf: text)
                specials.append((Int32(id), text, true))
            case .control, .unknown:
                // Decoded as nothing unless special tokens are rendered (llama.cpp).
                specials.append((Int32(id), text, false))
            case .unused:
                break
            case .byte:
                guard let byte = parseByteToken(text) else {
                    throw TokenizerError.malformedByteToken(tokenID: id, text: tokens[id])
                }
                byteTokens[Int(byte)] = Int32(id)
                decodedPool.append(byte)
            }
            decodedOffsets.append(Int32(decodedPool.count))
        }

        // Byte fallback as in llama.cpp: `<0xNN>`, else the byte as a
        // one-byte piece; we add the unknown token as a last resort.
        var singleByteIDs = [Int32](repeating: -1, count: 256)
        for byte in 0 ..< 256 {
            var value = UInt8(byte)
            singleByteIDs[byte] = table.lookup(&value, 1)
            if byteTokens[byte] < 0 { byteTokens[byte] = singleByteIDs[byte] }
            if byteTokens[byte] < 0, let unknownID { byteTokens[byte] = unknownID }
            if byteTokens[byte] < 0 { throw TokenizerError.noTokenForByte(UInt8(byte)) }
        }

        self.bosID = bosID
        self.eosID = eosID
        self.unknownID = unknownID
        self.paddingID = paddingID
        self.addsBOSByDefault = addBOS
        self.addsSpacePrefix = addSpacePrefix
        self.table = table
        self.scores = scores
        self.types = types
        self.splitter = SpecialTokenSplitter(tokens: specials)
        self.merger = PieceMerger(table: table, scores: scores, singleByteIDs: singleByteIDs,
                                  byteFallbackIDs: byteTokens)
        self.decodedPool = decodedPool
        self.decodedOffsets = decodedOffsets
    }

    /// Number of tokens in the vocabulary (the model's logit count).
    public var vocabularySize: Int { types.count }

    /// The vocabulary text of `id` as stored (spaces appear as '▁'), or nil if out of range.
    public func piece(for id: Int32) -> String? {
        guard isValid(id) else { return nil }
        return String(decoding: table.bytes(of: id), as: UTF8.self)
    }

    /// The id whose vocabulary text is exactly `piece` ('▁' for spaces), or nil.
    public func id(forPiece piece: String) -> Int32? {
        table.lookup(piece)
    }

    /// The kind of token `id` is, or nil if out of range.
    public func tokenType(for id: Int32) -> TokenType? {
        isValid(id) ? types[Int(id)] : nil
    }

    /// The merge score of `id` (higher merges first), or nil if out of range.
    public func score(for id: Int32) -> Float? {
        isValid(id) ? scores[Int(id)] : nil
    }

    func isValid(_ id: Int32) -> Bool { id >= 0 && Int(id) < types.count }
}

/// Appends `text` with every '▁' (E2 96 81) turned back into a space.
private func appendUnescaped(_ text: ArraySlice<UInt8>, to out: inout [UInt8]) {
    var i = text.startIndex
    while i < text.endIndex {
        if text[i] == 0xE2, i + 2 < text.endIndex, text[i + 1] == 0x96, text[i + 2] == 0x81 {
            out.append(0x20)
            i += 3
        } else {
            out.append(text[i])
            i += 1
        }
    }
}

/// The byte value of a `<0xNN>` token text.
private func parseByteToken(_ text: ArraySlice<UInt8>) -> UInt8? {
    guard text.count == 6 else { return nil }
    let b = Array(text)
    guard b[0] == UInt8(ascii: "<"), b[1] == UInt8(ascii: "0"), b[2] == UInt8(ascii: "x"),
          b[5] == UInt8(ascii: ">") else { return nil }
    return UInt8(String(decoding: b[3 ... 4], as: UTF8.self), radix: 16)
}
