import Dispatch

/// The checksum of an artifact section: the section is cut into chunks of
/// `chunkBytes` (the last may be shorter), each chunk is hashed with XXH64
/// (seed 0), and the checksum is the XXH64 (seed 0) of those chunk hashes
/// written as little-endian u64s, in order. An empty section has no chunks.
///
/// Chunking lets every core hash a part of a large weights section at once,
/// so verifying on load costs little more than reading the bytes.
public enum SectionChecksum {
    /// The chunk size this version writes (1 MiB).
    public static let defaultChunkBytes = 1 << 20

    public static func compute(_ bytes: UnsafeRawBufferPointer, chunkBytes: Int = defaultChunkBytes) -> UInt64 {
        precondition(chunkBytes > 0, "chunkBytes must be positive")
        let chunks = (bytes.count + chunkBytes - 1) / chunkBytes
        var digests = [UInt64](repeating: 0, count: chunks)
        digests.withUnsafeMutableBufferPointer { out in
            let out = out
            let hashChunk = { (c: Int) in
                let start = c * chunkBytes
                let end = min(start + chunkBytes, bytes.count)
                out[c] = XXHash64.hash(UnsafeRawBufferPointer(rebasing: bytes[start ..< end])).littleEndian
            }
            // Threads only pay off past a few chunks.
            if chunks < 4 {
                for c in 0 ..< chunks { hashChunk(c) }
            } else {
                DispatchQueue.concurrentPerform(iterations: chunks, execute: hashChunk)
            }
        }
        return digests.withUnsafeBytes { XXHash64.hash($0) }
    }

    /// 16 lower-case hex digits, as `smelt inspect` prints checksums.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
