/// XXH64, Yann Collet's 64-bit non-cryptographic hash (the published
/// algorithm, written here from its specification). It runs at memory speed,
/// which matters because an artifact's weights section is hundreds of MB and
/// is verified on every load.
public enum XXHash64 {
    private static let p1: UInt64 = 11_400_714_785_074_694_791
    private static let p2: UInt64 = 14_029_467_366_897_019_727
    private static let p3: UInt64 = 1_609_587_929_392_839_161
    private static let p4: UInt64 = 9_650_029_242_287_828_579
    private static let p5: UInt64 = 2_870_177_450_012_600_261

    /// The hash of `bytes` with `seed`.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let count = bytes.count
        guard let base = bytes.baseAddress, count > 0 else { return finish(seed &+ p5, base: nil, from: 0, to: 0) }
        var i = 0
        var h: UInt64
        if count >= 32 {
            var v1 = seed &+ p1 &+ p2
            var v2 = seed &+ p2
            var v3 = seed
            var v4 = seed &- p1
            let stripes = count - 32
            while i <= stripes {
                v1 = round(v1, load64(base, i))
                v2 = round(v2, load64(base, i + 8))
                v3 = round(v3, load64(base, i + 16))
                v4 = round(v4, load64(base, i + 24))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1)
            h = merge(h, v2)
            h = merge(h, v3)
            h = merge(h, v4)
        } else {
            h = seed &+ p5
        }
        return finish(h, base: base, from: i, to: count)
    }

    /// The hash of an array's bytes.
    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    /// Adds the length, folds in the tail (< 32 bytes), and avalanches.
    @inline(__always)
    private static func finish(_ start: UInt64, base: UnsafeRawPointer?, from: Int, to count: Int) -> UInt64 {
        var h = start &+ UInt64(count)
        var i = from
        if let base {
            while i + 8 <= count {
                h ^= round(0, load64(base, i))
                h = rotl(h, 27) &* p1 &+ p4
                i += 8
            }
            if i + 4 <= count {
                h ^= UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt32.self))) &* p1
                h = rotl(h, 23) &* p2 &+ p3
                i += 4
            }
            while i < count {
                h ^= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) &* p5
                h = rotl(h, 11) &* p1
                i += 1
            }
        }
        h ^= h >> 33
        h = h &* p2
        h ^= h >> 29
        h = h &* p3
        h ^= h >> 32
        return h
    }

    @inline(__always)
    private static func load64(_ base: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always)
    private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }

    @inline(__always)
    private static func merge(_ acc: UInt64, _ value: UInt64) -> UInt64 {
        (acc ^ round(0, value)) &* p1 &+ p4
    }
}
