extension SentencePieceTokenizer {
    /// Token ids for `text`, with BOS as the vocabulary's `add_bos_token`
    /// says and special-token text (`<start_of_turn>`) kept as plain text.
    public func encode(_ text: String) -> [Int32] {
        encode(text, addBOS: addsBOSByDefault, parseSpecial: false)
    }

    /// Token ids for `text`.
    ///
    /// - Parameters:
    ///   - addBOS: put `bosID` first.
    ///   - parseSpecial: turn the text of control tokens such as
    ///     `<start_of_turn>` or `<bos>` into those single tokens. When false
    ///     such text is tokenized like any other (user-defined tokens, e.g.
    ///     Gemma's runs of spaces and newlines, are matched either way).
    public func encode(_ text: String, addBOS: Bool, parseSpecial: Bool) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(text.utf8.count / 3 + 2)
        if addBOS { output.append(bosID) }
        var text = text
        text.withUTF8 { bytes in
            var scratch = PieceMerger.Scratch()
            var escaped: [UInt8] = []
            var afterSpecial = true
            for fragment in splitter.split(bytes, parseSpecial: parseSpecial) {
                switch fragment {
                case let .token(id):
                    output.append(id)
                    afterSpecial = true
                case let .text(range):
                    escaped.removeAll(keepingCapacity: true)
                    if addsSpacePrefix && afterSpecial { escaped.append(contentsOf: whitespaceMarker) }
                    for byte in bytes[range] {
                        if byte == 0x20 { escaped.append(contentsOf: whitespaceMarker) } else { escaped.append(byte) }
                    }
                    escaped.withUnsafeBufferPointer { merger.encode($0, into: &output, scratch: &scratch) }
                    afterSpecial = false
                }
            }
        }
        return output
    }

    /// The text of `ids`: pieces with '▁' read as spaces, byte tokens joined
    /// back into UTF-8 (invalid sequences become U+FFFD), control and
    /// unknown tokens (BOS, `<end_of_turn>`, ...) left out unless
    /// `renderSpecial` is set.
    /// Ids outside the vocabulary are skipped.
    public func decode(_ ids: [Int32], renderSpecial: Bool = false) -> String {
        String(decoding: decodedBytes(ids, renderSpecial: renderSpecial), as: UTF8.self)
    }

    /// The UTF-8 bytes `decode` would turn into text. Byte tokens may leave a
    /// character split across calls; `TokenStreamDecoder` handles that.
    public func decodedBytes(_ ids: [Int32], renderSpecial: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ids.count * 4)
        for id in ids { appendDecoded(id, renderSpecial: renderSpecial, to: &out) }
        // With a space prefix, encoding added the first space; take it back.
        if addsSpacePrefix, out.first == 0x20 { out.removeFirst() }
        return out
    }

    /// The bytes one token contributes to decoded text, with no prefix handling.
    func appendDecoded(_ id: Int32, renderSpecial: Bool, to out: inout [UInt8]) {
        guard isValid(id) else { return }
        if renderSpecial, types[Int(id)] == .control || types[Int(id)] == .unknown {
            out.append(contentsOf: table.bytes(of: id))
        } else {
            out.append(contentsOf: decodedPool[Int(decodedOffsets[Int(id)]) ..< Int(decodedOffsets[Int(id) + 1])])
        }
    }
}

/// U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's stand-in for a space.
private let whitespaceMarker: [UInt8] = [0xE2, 0x96, 0x81]

/// Turns a stream of token ids into text as they are generated, holding back
/// the bytes of a character whose byte tokens have not all arrived yet.
public struct TokenStreamDecoder {
    public let tokenizer: SentencePieceTokenizer
    public let renderSpecial: Bool
    private var pending: [UInt8] = []
    private var atStart = true

    public init(tokenizer: SentencePieceTokenizer, renderSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
    }

    /// The text that `id` completes (possibly empty).
    public mutating func append(_ id: Int32) -> String {
        tokenizer.appendDecoded(id, renderSpecial: renderSpecial, to: &pending)
        if atStart, !pending.isEmpty {
            atStart = false
            if tokenizer.addsSpacePrefix, pending.first == 0x20 { pending.removeFirst() }
        }
        let complete = completePrefixLength(pending)
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Whatever is still held back, as text (an unfinished character becomes U+FFFD).
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }
}

/// Length of the longest prefix of `bytes` that does not end inside an
/// unfinished UTF-8 sequence (one that more bytes could still complete).
private func completePrefixLength(_ bytes: [UInt8]) -> Int {
    let n = bytes.count
    var i = n - 1
    // Walk back over at most three continuation bytes to the lead byte.
    while i >= 0, n - i <= 4, bytes[i] & 0xC0 == 0x80 { i -= 1 }
    guard i >= 0, n - i <= 4 else { return n }
    let needed = utf8Length(bytes[i])
    return n - i < needed && bytes[i] >= 0xC0 ? i : n
}
