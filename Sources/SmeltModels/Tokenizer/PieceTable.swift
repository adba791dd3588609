/// Maps the UTF-8 bytes of a vocabulary piece to its token id without
/// building a `String` per lookup.
///
/// The BPE loop asks "is this byte range a piece?" once or twice per merge,
/// so the lookup works directly on a byte pointer: one open-addressing table
/// of token ids over a single pooled byte buffer. When two tokens share a
/// text, the later id wins, as in llama.cpp's `token_to_id` map.
struct PieceTable: Sendable {
    /// All pieces' bytes, back to back; piece `i` is `pool[offsets[i] ..< offsets[i + 1]]`.
    private(set) var pool: [UInt8]
    private(set) var offsets: [Int32]
    /// Open-addressing slots, each `tag << 32 | id` (0 for empty, where
    /// tags are never 0). The tag is 32 more bits of the hash, so a probe
    /// that misses rarely has to touch the (cold) piece bytes.
    private var slots: [UInt64]
    private var mask: Int

    init(pieces: [String]) {
        var pool: [UInt8] = []
        pool.reserveCapacity(pieces.count * 8)
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(pieces.count + 1)
        for piece in pieces {
            pool.append(contentsOf: piece.utf8)
            offsets.append(Int32(pool.count))
        }
        // A trailing pad byte keeps the pool non-empty, so its base address
        // exists even for a vocabulary of empty pieces.
        pool.append(0)
        var capacity = 16
        while capacity < pieces.count * 2 { capacity <<= 1 }
        self.pool = pool
        self.offsets = offsets
        self.slots = [UInt64](repeating: 0, count: capacity)
        self.mask = capacity - 1
        for id in 0 ..< pieces.count { insert(Int32(id)) }
    }

    var count: Int { offsets.count - 1 }

    /// The stored bytes of piece `id` (which must be in range).
    func bytes(of id: Int32) -> ArraySlice<UInt8> {
        pool[Int(offsets[Int(id)]) ..< Int(offsets[Int(id) + 1])]
    }

    private mutating func insert(_ id: Int32) {
        let start = Int(offsets[Int(id)])
        let length = Int(offsets[Int(id) + 1]) - start
        let hash = pool.withUnsafeBufferPointer { PieceTable.hash($0.baseAddress! + start, length) }
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            if equals(Int32(truncatingIfNeeded: slots[slot]), pool, start, length) { break }
            slot = (slot + 1) & mask
        }
        slots[slot] = PieceTable.tag(hash) << 32 | UInt64(UInt32(id))
    }

    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt64 { (hash >> 32) | 1 }

    private func equals(_ id: Int32, _ bytes: [UInt8], _ start: Int, _ length: Int) -> Bool {
        let otherStart = Int(offsets[Int(id)])
        guard Int(offsets[Int(id) + 1]) - otherStart == length else { return false }
        for i in 0 ..< length where pool[otherStart + i] != bytes[start + i] { return false }
        return true
    }

    /// The id of the piece whose bytes are `bytes[0 ..< length]`, or `-1`.
    func lookup(_ bytes: UnsafePointer<UInt8>, _ length: Int) -> Int32 {
        let hash = PieceTable.hash(bytes, length)
        return pool.withUnsafeBufferPointer { pool in
            offsets.withUnsafeBufferPointer { offsets in
                slots.withUnsafeBufferPointer { slots in
                    let tag = PieceTable.tag(hash)
                    var slot = Int(truncatingIfNeeded: hash) & mask
                    while true {
                        let entry = slots[slot]
                        if entry == 0 { return -1 }
                        if entry >> 32 == tag {
                            let id = Int32(truncatingIfNeeded: entry)
                            let start = Int(offsets[Int(id)])
                            if Int(offsets[Int(id) + 1]) - start == length,
                               memcmpBytes(pool.baseAddress! + start, bytes, length) {
                                return id
                            }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    /// The id of `piece`, or nil.
    func lookup(_ piece: String) -> Int32? {
        var piece = piece
        let id = piece.withUTF8 { utf8 -> Int32 in
            guard let base = utf8.baseAddress else {
                var empty: UInt8 = 0
                return lookup(&empty, 0)
            }
            return lookup(base, utf8.count)
        }
        return id >= 0 ? id : nil
    }

    /// FNV-1a, 64-bit. Pieces are short (a few bytes), so a byte loop is fine
    /// and keeps the table independent of the process's hash seed.
    static func hash(_ bytes: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0 ..< length {
            h = (h ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01b3
        }
        // Mix the high bits down: slots use the low bits, tags the high ones.
        h ^= h >> 29
        h = h &* 0xbf58_476d_1ce4_e5b9
        return h ^ (h >> 32)
    }
}

@inline(__always)
private func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ length: Int) -> Bool {
    for i in 0 ..< length where a[i] != b[i] { return false }
    return true
}
