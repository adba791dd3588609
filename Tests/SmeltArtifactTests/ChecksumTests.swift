import SmeltArtifact
import Testing

/// Expected values from the Python `xxhash` package (4.1.0), an independent
/// implementation of XXH64.
@Suite struct ChecksumTests {
    @Test func xxh64MatchesReferenceVectors() {
        #expect(XXHash64.hash([UInt8]()) == 0xEF46_DB37_51D8_E999)
        #expect(XXHash64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXHash64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(XXHash64.hash(Array("abc".utf8), seed: 1) == 0xBEA9_CA81_9932_8908)
        #expect(XXHash64.hash(Array("Nobody inspects the spammish repetition".utf8)) == 0xFBCE_A83C_8A37_8BF1)
        // 773 bytes: the 32-byte stripes, then 8-, 4- and 1-byte tails.
        let long = (0 ..< 3).flatMap { _ in (0 ..< 256).map(UInt8.init) } + Array("smelt".utf8)
        #expect(XXHash64.hash(long) == 0x0A52_B95E_83E1_A2EB)
    }

    @Test func sectionChecksumHashesChunkHashes() {
        // xxhash: xxh64(b"".join(pack("<Q", xxh64(chunk))) for 4096-byte chunks of i % 251, 10000 bytes)
        let data = (0 ..< 10000).map { UInt8($0 % 251) }
        data.withUnsafeBytes { bytes in
            #expect(SectionChecksum.compute(bytes, chunkBytes: 4096) == 0x71DB_5DCA_0584_F818)
            // One chunk covering everything is the hash of the single whole-data hash.
            #expect(SectionChecksum.compute(bytes, chunkBytes: 1 << 20) == RawFormat.sectionChecksum(data[...], chunk: 1 << 20))
        }
        // No chunks: the hash of nothing.
        #expect(SectionChecksum.compute(UnsafeRawBufferPointer(start: nil, count: 0)) == 0xEF46_DB37_51D8_E999)
    }

    @Test func parallelChunksAgreeWithSerialDefinition() {
        // Enough chunks that the parallel path runs.
        let data = (0 ..< 300_001).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        let parallel = data.withUnsafeBytes { SectionChecksum.compute($0, chunkBytes: 4096) }
        #expect(parallel == RawFormat.sectionChecksum(data[...], chunk: 4096))
    }
}
