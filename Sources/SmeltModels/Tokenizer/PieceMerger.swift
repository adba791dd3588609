/// SentencePiece BPE over one run of raw text: start from one symbol per
/// UTF-8 character, and repeatedly merge the adjacent pair whose joined text
/// is a vocabulary piece with the highest score (ties: leftmost pair) —
/// the order llama.cpp's SPM tokenizer uses.
///
/// Merges only ever touch neighbours, so where no piece can span a point in
/// the text the two sides evolve independently. Before each '▁' (a space)
/// that is almost always so: a piece would have to hold '▁' after its first
/// character, and the vocabulary's few such pieces are checked against the
/// text there. Splitting at those points keeps each merge problem small
/// (a word), where a linear scan beats a heap; long runs without spaces
/// (CJK text, long identifiers) use the heap in `PieceMerger+Heap.swift`.
struct PieceMerger: Sendable {
    let table: PieceTable
    let scores: [Float]
    /// Token for each single byte as a character (ASCII), or -1.
    let singleByteIDs: [Int32]
    /// Byte-fallback token for each byte value (`<0xNN>`, else the unknown token).
    let byteFallbackIDs: [Int32]
    /// Pieces holding '▁' after their first character, with that '▁''s byte offset.
    let spanningPieces: [(bytes: [UInt8], markerOffset: Int)]
    /// False when there are too many spanning pieces to check cheaply.
    let splitsAtSpaces: Bool

    /// Words up to this many characters are merged by linear scans, longer
    /// ones with the heap. Both give the same tokens; tests vary this.
    var linearLimit = 48

    init(table: PieceTable, scores: [Float], singleByteIDs: [Int32], byteFallbackIDs: [Int32]) {
        self.table = table
        self.scores = scores
        self.singleByteIDs = singleByteIDs
        self.byteFallbackIDs = byteFallbackIDs
        var spanning: [(bytes: [UInt8], markerOffset: Int)] = []
        for id in 0 ..< table.count {
            let bytes = Array(table.bytes(of: Int32(id)))
            var offset = bytes.isEmpty ? 0 : utf8Length(bytes[0])
            while offset + 3 <= bytes.count {
                if bytes[offset] == 0xE2, bytes[offset + 1] == 0x96, bytes[offset + 2] == 0x81 {
                    spanning.append((bytes, offset))
                }
                offset += utf8Length(bytes[offset])
            }
        }
        self.splitsAtSpaces = spanning.count <= 32
        self.spanningPieces = splitsAtSpaces ? spanning : []
    }

    /// Per-call working memory for long words, reused between them.
    struct Scratch {
        var symbols: [Symbol] = []
        var heap = HeapScratch()
    }

    /// One symbol of a word being merged: a byte range and its token (-1 if
    /// the range is a single character with no piece).
    struct Symbol {
        var start: Int32
        var length: Int32
        var id: Int32
    }

    /// Appends the tokens of `text` (already whitespace-escaped) to `output`.
    func encode(_ text: UnsafeBufferPointer<UInt8>, into output: inout [Int32], scratch: inout Scratch) {
        guard let base = text.baseAddress, text.count > 0 else { return }
        let n = text.count
        var wordStart = 0
        var i = 1
        if splitsAtSpaces {
            while i + 2 < n {
                if base[i] == 0xE2, base[i + 1] == 0x96, base[i + 2] == 0x81, canSplit(base, n, at: i) {
                    encodeWord(base, wordStart, i, &output, &scratch)
                    wordStart = i
                    i += 3
                } else {
                    i += 1
                }
            }
        }
        encodeWord(base, wordStart, n, &output, &scratch)
    }

    /// Whether no spanning piece matches the text around the '▁' at `i`.
    @inline(__always)
    private func canSplit(_ base: UnsafePointer<UInt8>, _ n: Int, at i: Int) -> Bool {
        for (bytes, offset) in spanningPieces {
            let start = i - offset
            guard start >= 0, start + bytes.count <= n else { continue }
            var matches = true
            for k in 0 ..< bytes.count where bytes[k] != base[start + k] { matches = false; break }
            if matches { return false }
        }
        return true
    }

    private func encodeWord(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                            _ output: inout [Int32], _ scratch: inout Scratch) {
        let byteCount = end - start
        if byteCount <= linearLimit || characterCount(base, start, end) <= linearLimit {
            // Short word: symbols and pairs live in temporary (stack) buffers.
            withUnsafeTemporaryAllocation(of: Symbol.self, capacity: byteCount) { symbols in
                withUnsafeTemporaryAllocation(of: PairSlot.self, capacity: byteCount) { pairs in
                    let count = makeSymbols(base, start, end, symbols)
                    let live = mergeLinear(base, symbols, count, pairs)
                    emit(base, UnsafeBufferPointer(rebasing: symbols[..<live]), &output)
                }
            }
        } else {
            scratch.symbols = [Symbol](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
                initialized = makeSymbols(base, start, end, buffer)
            }
            mergeWithHeap(base, &scratch.symbols, &scratch.heap)
            scratch.symbols.withUnsafeBufferPointer { emit(base, $0, &output) }
        }
    }

    private func characterCount(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var count = 0
        for k in start ..< end where base[k] & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// One symbol per UTF-8 character of `base[start ..< end]`; returns the count.
    private func makeSymbols(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                             _ symbols: UnsafeMutableBufferPointer<Symbol>) -> Int {
        var count = 0
        var offset = start
        while offset < end {
            // llama.cpp's lead-byte length; a stray continuation byte is a character.
            let charLength = min(utf8Length(base[offset]), end - offset)
            let id = charLength == 1 ? singleByteIDs[Int(base[offset])] : table.lookup(base + offset, charLength)
            (symbols.baseAddress! + count).initialize(to: Symbol(start: Int32(offset), length: Int32(charLength), id: id))
            count += 1
            offset += charLength
        }
        return count
    }

    /// Appends the merged symbols' tokens, spelling unknown characters in bytes.
    private func emit(_ base: UnsafePointer<UInt8>, _ symbols: UnsafeBufferPointer<Symbol>, _ output: inout [Int32]) {
        for symbol in symbols {
            if symbol.id >= 0 {
                output.append(symbol.id)
            } else {
                for k in Int(symbol.start) ..< Int(symbol.start + symbol.length) {
                    output.append(byteFallbackIDs[Int(base[k])])
                }
            }
        }
    }

    /// A candidate merge of symbols k and k + 1 in the linear scan.
    struct PairSlot {
        var id: Int32
        var score: Float
    }

    /// Merges `symbols[..<count]` in place by repeatedly scanning for the
    /// best pair, and returns how many symbols are left. Quadratic, but
    /// words are short and the scan is over a few cache lines.
    private func mergeLinear(_ base: UnsafePointer<UInt8>, _ symbols: UnsafeMutableBufferPointer<Symbol>,
                             _ count: Int, _ pairs: UnsafeMutableBufferPointer<PairSlot>) -> Int {
        guard count > 1 else { return count }
        for k in 0 ..< count - 1 {
            (pairs.baseAddress! + k).initialize(to: pair(base, symbols[k], symbols[k + 1]))
        }
        var live = count
        while live > 1 {
            var best = -1
            var bestScore = -Float.infinity
            for k in 0 ..< live - 1 where pairs[k].id >= 0 && (best < 0 || pairs[k].score > bestScore) {
                best = k
                bestScore = pairs[k].score
            }
            if best < 0 { break }
            symbols[best].length += symbols[best + 1].length
            symbols[best].id = pairs[best].id
            // Close the gap left by symbol best + 1 and pair best.
            for k in best + 1 ..< live - 1 { symbols[k] = symbols[k + 1] }
            for k in best ..< live - 2 { pairs[k] = pairs[k + 1] }
            live -= 1
            if best > 0 { pairs[best - 1] = pair(base, symbols[best - 1], symbols[best]) }
            if best < live - 1 { pairs[best] = pair(base, symbols[best], symbols[best + 1]) }
        }
        return live
    }

    /// The piece spelled by two adjacent symbols and its score, or id -1.
    @inline(__always)
    func pair(_ base: UnsafePointer<UInt8>, _ left: Symbol, _ right: Symbol) -> PairSlot {
        let id = table.lookup(base + Int(left.start), Int(left.length + right.length))
        return PairSlot(id: id, score: id >= 0 ? scores[Int(id)] : 0)
    }
}

/// Length of a UTF-8 sequence from its lead byte (1 for continuation bytes).
@inline(__always)
func utf8Length(_ lead: UInt8) -> Int {
    switch lead >> 4 {
    case 0xF: return 4
    case 0xE: return 3
    case 0xC, 0xD: return 2
    default: return 1
    }
}
