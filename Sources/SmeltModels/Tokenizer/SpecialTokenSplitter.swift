/// Splits text into raw-text runs and whole special tokens before BPE runs.
///
/// Which tokens are cut out follows llama.cpp (the reference the model's
/// ground truth was produced with): user-defined tokens always are, control
/// and unknown tokens only when the caller asks to parse special tokens.
/// Longer tokens win: llama.cpp cuts every occurrence of the longest token
/// first, then the next longest in what remains, and so on. This type
/// reproduces that order without scanning the text once per token: one trie
/// walk finds every (position, length) match, and the matches are then
/// accepted length by length, longest first, left to right.
struct SpecialTokenSplitter: Sendable {
    /// One piece of split text: a byte range of raw text, or a special token.
    enum Fragment: Equatable {
        case text(Range<Int>)
        case token(Int32)
    }

    /// A byte trie over the special tokens' texts; node 0 is the root. Node
    /// k's edges are `edgeBytes/edgeTargets[edgeStart[k] ..< edgeStart[k + 1]]`,
    /// sorted by byte, so a step is a short search with no hashing.
    private var edgeStart: [Int32] = []
    private var edgeBytes: [UInt8] = []
    private var edgeTargets: [Int32] = []
    /// Token id ending at each node, or -1.
    private var terminal: [Int32] = [-1]
    /// Whether that token is cut out even when special tokens are not parsed.
    private var alwaysSplit: [Bool] = [false]
    /// Bytes that start some special token; other positions are skipped quickly.
    private var startsToken = [Bool](repeating: false, count: 256)
    /// Distinct token lengths, longest first, and each length's bit index.
    private var lengthsDescending: [Int] = []
    private var bitForLength: [Int: Int] = [:]

    var isEmpty: Bool { terminal.count == 1 }

    /// - Parameters:
    ///   - tokens: `(id, bytes, alwaysSplit)` for each control, unknown or
    ///     user-defined token with a non-empty text.
    init(tokens: [(id: Int32, bytes: ArraySlice<UInt8>, alwaysSplit: Bool)]) {
        var lengths = Set<Int>()
        var children: [UInt64: Int32] = [:]
        for token in tokens where !token.bytes.isEmpty {
            var node: Int32 = 0
            for byte in token.bytes {
                let key = UInt64(node) << 8 | UInt64(byte)
                if let next = children[key] {
                    node = next
                } else {
                    let next = Int32(terminal.count)
                    children[key] = next
                    terminal.append(-1)
                    alwaysSplit.append(false)
                    node = next
                }
            }
            terminal[Int(node)] = token.id
            alwaysSplit[Int(node)] = token.alwaysSplit
            startsToken[Int(token.bytes.first!)] = true
            lengths.insert(token.bytes.count)
        }
        var edges = children.map { (node: Int32($0.key >> 8), byte: UInt8($0.key & 0xFF), target: $0.value) }
        edges.sort { ($0.node, $0.byte) < ($1.node, $1.byte) }
        edgeStart = [Int32](repeating: 0, count: terminal.count + 1)
        for edge in edges { edgeStart[Int(edge.node) + 1] += 1 }
        for k in 0 ..< terminal.count { edgeStart[k + 1] += edgeStart[k] }
        edgeBytes = edges.map(\.byte)
        edgeTargets = edges.map(\.target)
        lengthsDescending = lengths.sorted(by: >)
        for (bit, length) in lengthsDescending.enumerated() { bitForLength[length] = bit }
    }

    /// Splits `bytes` into fragments in text order.
    func split(_ bytes: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [Fragment] {
        let n = bytes.count
        if isEmpty || n == 0 { return n == 0 ? [] : [.text(0 ..< n)] }

        // 1. Every position where some eligible token matches, with a bitmask
        //    of the matching lengths (bit i ⇔ lengthsDescending[i]).
        let words = (lengthsDescending.count + 63) / 64
        var positions: [Int] = []
        var masks: [UInt64] = []
        for start in 0 ..< n where startsToken[Int(bytes[start])] {
            var node: Int32 = 0
            var found = false
            var index = start
            while index < n, let next = child(of: node, bytes[index]) {
                node = next
                index += 1
                if terminal[Int(node)] >= 0, parseSpecial || alwaysSplit[Int(node)] {
                    if !found {
                        positions.append(start)
                        masks.append(contentsOf: repeatElement(0, count: words))
                        found = true
                    }
                    let bit = bitForLength[index - start]!
                    masks[masks.count - words + bit / 64] |= 1 << UInt64(bit % 64)
                }
            }
        }
        if positions.isEmpty { return [.text(0 ..< n)] }

        // 2. Accept longest first, left to right. A candidate is rejected if
        //    it overlaps an accepted match; since every accepted match is at
        //    least as long, any overlap covers one of the candidate's ends.
        var present = [UInt64](repeating: 0, count: words)
        for (k, mask) in masks.enumerated() { present[k % words] |= mask }
        var covered = [Bool](repeating: false, count: n)
        var accepted: [(start: Int, length: Int)] = []
        for (bit, length) in lengthsDescending.enumerated() {
            let word = bit / 64, flag: UInt64 = 1 << UInt64(bit % 64)
            if present[word] & flag == 0 { continue }  // no match of this length
            for (k, start) in positions.enumerated() where masks[k * words + word] & flag != 0 {
                if covered[start] || covered[start + length - 1] { continue }
                for i in start ..< start + length { covered[i] = true }
                accepted.append((start, length))
            }
        }
        accepted.sort { $0.start < $1.start }

        // 3. Interleave the accepted tokens with the raw text around them.
        var fragments: [Fragment] = []
        var cursor = 0
        for match in accepted {
            if match.start > cursor { fragments.append(.text(cursor ..< match.start)) }
            fragments.append(.token(tokenID(bytes, match.start, match.length)))
            cursor = match.start + match.length
        }
        if cursor < n { fragments.append(.text(cursor ..< n)) }
        return fragments
    }

    /// The token spelled by `bytes[start ..< start + length]`, known to be in the trie.
    private func tokenID(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> Int32 {
        var node: Int32 = 0
        for index in start ..< start + length {
            node = child(of: node, bytes[index])!
        }
        return terminal[Int(node)]
    }

    /// The trie node reached from `node` by `byte`, by binary search of its edges.
    @inline(__always)
    private func child(of node: Int32, _ byte: UInt8) -> Int32? {
        var low = Int(edgeStart[Int(node)]), high = Int(edgeStart[Int(node) + 1])
        while low < high {
            let mid = (low + high) / 2
            let b = edgeBytes[mid]
            if b == byte { return edgeTargets[mid] }
            if b < byte { low = mid + 1 } else { high = mid }
        }
        return nil
    }
}
