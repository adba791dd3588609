/// SentencePiece BPE over one run of raw text: start from one symbol per
/// UTF-8 character, and repeatedly merge the adjacent pair whose joined text
/// is a vocabulary piece with the highest score (ties: leftmost pair).
///
/// Symbols form a doubly linked list over the byte buffer and candidate pairs
/// sit in a binary heap, so a run of n characters costs O(n log n). A heap
/// entry goes stale when one of its symbols has since been merged; it is then
/// recognised by its recorded length, exactly as in llama.cpp's SPM tokenizer.
struct PieceMerger {
    let table: PieceTable
    let scores: [Float]
    /// Token for each single byte as a character (ASCII), or -1.
    let singleByteIDs: [Int32]
    /// Byte-fallback token for each byte value (`<0xNN>`, else the unknown token).
    let byteFallbackIDs: [Int32]

    fileprivate struct Pair {
        var score: Float
        var left: Int32
        var right: Int32
        var length: Int32
        var id: Int32

        /// Heap order: higher score first, then the leftmost pair.
        @inline(__always)
        func outranks(_ other: Pair) -> Bool {
            score > other.score || (score == other.score && left < other.left)
        }
    }

    /// Reused between runs of one `encode` call to avoid reallocating.
    struct Scratch {
        fileprivate var start: [Int32] = []
        fileprivate var length: [Int32] = []
        fileprivate var prev: [Int32] = []
        fileprivate var next: [Int32] = []
        fileprivate var id: [Int32] = []
        fileprivate var heap: [Pair] = []
    }

    /// Appends the tokens of `text` (already whitespace-escaped) to `output`.
    func encode(_ text: UnsafeBufferPointer<UInt8>, into output: inout [Int32], scratch: inout Scratch) {
        let n = text.count
        guard n > 0, let base = text.baseAddress else { return }
        scratch.start.removeAll(keepingCapacity: true)
        scratch.length.removeAll(keepingCapacity: true)
        scratch.id.removeAll(keepingCapacity: true)
        scratch.heap.removeAll(keepingCapacity: true)

        // One symbol per UTF-8 character (llama.cpp's lead-byte length table;
        // a stray continuation byte counts as a character of its own).
        var offset = 0
        while offset < n {
            let lead = base[offset]
            let charLength = min(utf8Length(lead), n - offset)
            let id = charLength == 1 ? singleByteIDs[Int(lead)] : table.lookup(base + offset, charLength)
            scratch.start.append(Int32(offset))
            scratch.length.append(Int32(charLength))
            scratch.id.append(id)
            offset += charLength
        }
        let count = scratch.start.count
        scratch.prev = Array(-1 ..< Int32(count - 1))
        scratch.next = Array(1 ... Int32(count))
        scratch.next[count - 1] = -1

        for i in 1 ..< max(count, 1) { addPair(Int32(i - 1), Int32(i), base, &scratch) }

        while let pair = popBest(&scratch.heap) {
            let left = Int(pair.left), right = Int(pair.right)
            let leftLength = scratch.length[left], rightLength = scratch.length[right]
            if leftLength == 0 || rightLength == 0 || leftLength + rightLength != pair.length { continue }
            scratch.length[left] = pair.length
            scratch.length[right] = 0
            scratch.id[left] = pair.id
            let after = scratch.next[right]
            scratch.next[left] = after
            if after >= 0 { scratch.prev[Int(after)] = pair.left }
            addPair(scratch.prev[left], pair.left, base, &scratch)
            addPair(pair.left, after, base, &scratch)
        }

        var symbol: Int32 = 0
        while symbol >= 0 {
            let s = Int(symbol)
            let id = scratch.id[s]
            if id >= 0 {
                output.append(id)
            } else {
                let start = Int(scratch.start[s])
                for i in start ..< start + Int(scratch.length[s]) {
                    output.append(byteFallbackIDs[Int(base[i])])
                }
            }
            symbol = scratch.next[s]
        }
    }

    private func addPair(_ left: Int32, _ right: Int32, _ base: UnsafePointer<UInt8>, _ scratch: inout Scratch) {
        if left < 0 || right < 0 { return }
        let start = Int(scratch.start[Int(left)])
        let length = Int(scratch.length[Int(left)] + scratch.length[Int(right)])
        let id = table.lookup(base + start, length)
        if id < 0 { return }
        push(Pair(score: scores[Int(id)], left: left, right: right, length: Int32(length), id: id), &scratch.heap)
    }

    private func push(_ pair: Pair, _ heap: inout [Pair]) {
        heap.append(pair)
        heap.withUnsafeMutableBufferPointer { h in
            var child = h.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard h[child].outranks(h[parent]) else { break }
                h.swapAt(child, parent)
                child = parent
            }
        }
    }

    private func popBest(_ heap: inout [Pair]) -> Pair? {
        guard let last = heap.popLast() else { return nil }
        if heap.isEmpty { return last }
        return heap.withUnsafeMutableBufferPointer { h in
            let best = h[0]
            h[0] = last
            var parent = 0
            let count = h.count
            while true {
                let left = 2 * parent + 1
                if left >= count { break }
                var child = left
                if left + 1 < count, h[left + 1].outranks(h[left]) { child = left + 1 }
                guard h[child].outranks(h[parent]) else { break }
                h.swapAt(child, parent)
                parent = child
            }
            return best
        }
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
