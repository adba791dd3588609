import SmeltIR

/// The fixed part of a `.smelt` file: the header and the section table.
/// docs/ArtifactFormat.md describes the bytes; this type reads and writes them.
///
/// Only the magic and the format version (bytes 0..<12) are promised to stay
/// where they are in every future version, so a reader checks those first and
/// refuses a version it does not know before looking at anything else.
public struct ArtifactLayout: Sendable, Equatable {
    /// "SMELT" and three NULs.
    public static let magic: [UInt8] = Array("SMELT".utf8) + [0, 0, 0]
    /// The version this build writes and the only one it reads. 3: the
    /// plan's lists end with the `sample` kernel, which samples with the
    /// control block's sampler words (a version-2 plan would sample greedily
    /// whatever the temperature). 4: the plan may carry a `score` list and a
    /// `score_logits` buffer role, which a version-3 reader cannot decode.
    public static let formatVersion: UInt32 = 4
    public static let headerBytes = 64
    public static let sectionEntryBytes = 48
    /// Longest section name (bytes of ASCII, NUL-padded in the table).
    public static let sectionNameBytes = 16
    /// More sections than this is a corrupt table, not a real file.
    public static let maxSections = 64

    public var formatVersion: UInt32
    /// Bytes the checksums are chunked by (see `SectionChecksum`).
    public var checksumChunkBytes: Int
    /// The file's size when written.
    public var fileBytes: Int
    public var sections: [ArtifactSection]

    public init(formatVersion: UInt32 = ArtifactLayout.formatVersion, checksumChunkBytes: Int, fileBytes: Int,
                sections: [ArtifactSection]) {
        self.formatVersion = formatVersion
        self.checksumChunkBytes = checksumChunkBytes
        self.fileBytes = fileBytes
        self.sections = sections
    }

    /// Header plus section table.
    public var tableEndOffset: Int { Self.headerBytes + sections.count * Self.sectionEntryBytes }

    public func section(named name: String) -> ArtifactSection? {
        sections.first { $0.name == name }
    }

    /// The header and section table as bytes, with the header checksum filled in.
    public func encoded() -> [UInt8] {
        var out = ByteWriter()
        out.append(Self.magic)
        out.append32(formatVersion)
        out.append32(UInt32(tableEndOffset))
        out.append32(UInt32(sections.count))
        out.append32(UInt32(checksumChunkBytes))
        out.append64(UInt64(fileBytes))
        out.append64(0) // header checksum, patched below
        out.append(zeros: Self.headerBytes - out.count)
        for section in sections {
            var name = Array(section.name.utf8.prefix(Self.sectionNameBytes))
            name += [UInt8](repeating: 0, count: Self.sectionNameBytes - name.count)
            out.append(name)
            out.append64(UInt64(section.offset))
            out.append64(UInt64(section.length))
            out.append64(section.checksum)
            out.append32(UInt32(section.alignment))
            out.append32(0) // flags, reserved
        }
        let checksum = XXHash64.hash(out.bytes)
        out.patch64(checksum, at: Self.headerChecksumOffset)
        return out.bytes
    }

    static let headerChecksumOffset = 32
}

/// One entry of the section table.
public struct ArtifactSection: Sendable, Equatable {
    public var name: String
    /// From the start of the file.
    public var offset: Int
    public var length: Int
    /// `SectionChecksum` of the section's bytes.
    public var checksum: UInt64
    /// The offset is a multiple of this (a power of two).
    public var alignment: Int

    public init(name: String, offset: Int, length: Int, checksum: UInt64, alignment: Int) {
        self.name = name
        self.offset = offset
        self.length = length
        self.checksum = checksum
        self.alignment = alignment
    }

    public var end: Int { offset + length }
}

/// Section names this version writes.
public enum SectionName {
    public static let manifest = "manifest"
    public static let spirv = "spirv"
    public static let tokenizer = "tokenizer"
    public static let weights = "weights"
    /// All of them are required; readers skip names they do not know.
    public static let required = [manifest, spirv, tokenizer, weights]
}

/// Little-endian byte building.
struct ByteWriter {
    var bytes: [UInt8] = []
    var count: Int { bytes.count }

    mutating func append(_ data: [UInt8]) { bytes += data }
    mutating func append(zeros n: Int) { bytes += [UInt8](repeating: 0, count: max(0, n)) }
    mutating func append32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func append64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func pad(to alignment: Int) { append(zeros: (alignment - count % alignment) % alignment) }
    mutating func patch64(_ v: UInt64, at offset: Int) {
        withUnsafeBytes(of: v.littleEndian) { for (i, b) in $0.enumerated() { bytes[offset + i] = b } }
    }
}
