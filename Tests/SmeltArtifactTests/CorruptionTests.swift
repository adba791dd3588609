import Foundation
import SmeltArtifact
import Testing

/// Damaged files must be refused with a one-line error that names the file
/// and what is wrong, and must never crash the reader.
@Suite struct CorruptionTests {
    static let name = "x.smelt"

    func load(_ bytes: [UInt8]) -> String? {
        errorMessage { _ = try Artifact(bytes: bytes, name: Self.name) }
    }

    @Test func truncatedAtEveryOffset() throws {
        let b = try Fixture.bytes()
        #expect(load(b) == nil)
        #expect(load([]) == "x.smelt: not a Smelt artifact (empty file)")
        for n in 1 ..< b.count {
            let message = load(Array(b[0 ..< n]))
            #expect(message?.hasPrefix("x.smelt: truncated: ") == true, "cut at \(n): \(message ?? "loaded")")
            if message?.hasPrefix("x.smelt: truncated: ") != true { break }
        }
        // The section the cut falls in is named.
        let weights = RawFormat.entry(b, "weights")
        #expect(load(Array(b[0 ..< weights.offset + 10])) ==
            "x.smelt: truncated: section 'weights' ends at byte \(b.count), file has \(weights.offset + 10) bytes")
    }

    @Test func truncatedFileOnDisk() throws {
        let path = try Fixture.written()
        let b = try Fixture.bytes()
        for n in [0, 5, 64, 300, b.count - 1] {
            try Data(b[0 ..< n]).write(to: URL(fileURLWithPath: path))
            let message = errorMessage { _ = try Artifact(path: path) }
            #expect(message?.hasPrefix("\(path): ") == true)
            #expect(message?.contains(n == 0 ? "empty file" : "truncated") == true, "\(n): \(message ?? "loaded")")
        }
    }

    @Test func flippedByteInEachSectionIsNamed() throws {
        let b = try Fixture.bytes()
        for e in RawFormat.entries(b) {
            for at in Set([e.offset, e.offset + e.length / 2, e.offset + e.length - 1]) {
                var damaged = b
                damaged[at] ^= 0x10
                #expect(load(damaged) == "x.smelt: section '\(e.name)' checksum mismatch (file corrupted?)", "byte \(at)")
            }
        }
    }

    @Test func flippedByteInHeaderOrTable() throws {
        let b = try Fixture.bytes()
        // Past the magic and version, every header and table byte is covered.
        for at in [20, 30, 40, 63, 64, 64 + 20, 64 + 3 * 48 + 47] {
            var damaged = b
            damaged[at] ^= 0x01
            #expect(load(damaged) == "x.smelt: header checksum mismatch (file corrupted?)", "byte \(at)")
        }
    }

    @Test func badMagic() throws {
        var b = try Fixture.bytes()
        b[0] = UInt8(ascii: "G")
        #expect(load(b) == "x.smelt: not a Smelt artifact (bad magic)")
        #expect(load(Array("GGUF\u{3}\0\0\0".utf8) + [UInt8](repeating: 0, count: 100))?
            .hasPrefix("x.smelt: not a Smelt artifact (bad magic; this is a GGUF checkpoint") == true)
        #expect(load(Array("hello".utf8)) == "x.smelt: not a Smelt artifact (bad magic)")
    }

    @Test func otherFormatVersion() throws {
        var b = try Fixture.bytes()
        let other = ArtifactLayout.formatVersion + 1
        RawFormat.put32(&b, 8, other)
        #expect(load(b) == "x.smelt: format version \(other), this smelt reads version \(ArtifactLayout.formatVersion)")
    }

    @Test func sectionPointingOutsideTheFile() throws {
        let b = try Fixture.bytes()
        let weights = RawFormat.entry(b, "weights")
        var long = b
        RawFormat.put64(&long, weights.at + 24, UInt64(weights.length + 4096))
        #expect(load(RawFormat.resealedHeader(long)) ==
            "x.smelt: section 'weights' ends at byte \(b.count + 4096), past the \(b.count)-byte file the header records")
        var far = b
        RawFormat.put64(&far, RawFormat.entry(b, "spirv").at + 16, 1 << 40)
        #expect(load(RawFormat.resealedHeader(far))?.contains("section 'spirv' ends at byte") == true)
        var inHeader = b
        RawFormat.put64(&inHeader, RawFormat.entry(b, "manifest").at + 16, 16)
        #expect(load(RawFormat.resealedHeader(inHeader))?.contains("section 'manifest' starts at byte 16, inside the header") == true)
    }

    @Test func absurdLengthsAndCounts() throws {
        let b = try Fixture.bytes()
        let weights = RawFormat.entry(b, "weights")
        for (offset, length) in [(UInt64.max, UInt64(1)), (UInt64(4096), UInt64.max), (UInt64.max / 2, UInt64.max / 2 + 10)] {
            var damaged = b
            RawFormat.put64(&damaged, weights.at + 16, offset)
            RawFormat.put64(&damaged, weights.at + 24, length)
            let message = load(RawFormat.resealedHeader(damaged))
            #expect(message?.hasPrefix("x.smelt: section 'weights'") == true, "\(message ?? "loaded")")
        }
        var many = b
        RawFormat.put32(&many, 16, 1_000_000)
        #expect(load(many)?.contains("claims 1000000 sections") == true)
        var size = b
        RawFormat.put64(&size, 24, UInt64.max)
        #expect(load(RawFormat.resealedHeader(size))?.contains("absurd file size") == true)
        var chunk = b
        RawFormat.put32(&chunk, 20, 3)
        #expect(load(RawFormat.resealedHeader(chunk))?.contains("checksum chunk size 3") == true)
    }

    @Test func tableInconsistencies() throws {
        let b = try Fixture.bytes()
        let entries = RawFormat.entries(b)
        var misaligned = b
        RawFormat.put64(&misaligned, entries[3].at + 16, UInt64(entries[3].offset - 16))
        RawFormat.put32(&misaligned, entries[3].at + 40, 16)
        #expect(load(RawFormat.resealedHeader(misaligned)) ==
            "x.smelt: section 'weights' starts at byte \(entries[3].offset - 16), which is not a multiple of 4096")
        var overlap = b
        RawFormat.put64(&overlap, entries[1].at + 16, UInt64(entries[0].offset))
        #expect(load(RawFormat.resealedHeader(overlap))?.contains("overlap") == true)
        var duplicate = b
        duplicate[entries[2].at ..< entries[2].at + 16] = duplicate[entries[1].at ..< entries[1].at + 16]
        #expect(load(RawFormat.resealedHeader(duplicate)) == "x.smelt: section 'spirv' appears twice in the section table")
        var renamed = b
        renamed[entries[2].at + 8] = UInt8(ascii: "X")
        #expect(load(RawFormat.resealedHeader(renamed)) == "x.smelt: missing section 'tokenizer'")
        #expect(load(b + [0]) == "x.smelt: file has \(b.count + 1) bytes, the header says \(b.count) (something appended?)")
    }

    /// Sealed edits inside the manifest and tokenizer get past the checksums,
    /// so the decoders and the plan validation must stand on their own.
    @Test func resealedRandomEditsNeverCrash() throws {
        let b = try Fixture.bytes()
        var rng = EditGenerator(seed: 42)
        var refused = 0
        for name in ["manifest", "tokenizer", "spirv"] {
            let e = RawFormat.entry(b, name)
            for _ in 0 ..< 400 {
                var damaged = b
                for _ in 0 ..< 1 + Int(rng.next() % 3) {
                    damaged[e.offset + Int(rng.next() % UInt64(e.length))] = UInt8(truncatingIfNeeded: rng.next())
                }
                if let message = load(RawFormat.resealed(damaged)) {
                    #expect(message.hasPrefix("x.smelt: "))
                    #expect(!message.contains("\n"))
                    refused += 1
                }
            }
        }
        #expect(refused > 0)
    }

    @Test func sealedBadTokenizerCounts() throws {
        let b = try Fixture.bytes()
        let tokenizer = RawFormat.entry(b, "tokenizer")
        var huge = b
        RawFormat.put32(&huge, tokenizer.offset + 4, UInt32.max)
        #expect(load(RawFormat.resealed(huge))?.hasPrefix("x.smelt: section 'tokenizer': ") == true)
    }
}

/// A small deterministic generator for the random edits.
struct EditGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
