import SmeltIR

extension ArtifactLayout {
    /// Reads and checks the header and section table of the file `bytes`;
    /// `name` (usually the path) starts every error message.
    ///
    /// Checks, in order: magic, version, that header and table are all
    /// there, the header checksum, then each section's name, alignment and
    /// bounds, overlaps, the required sections, and the recorded file size.
    /// Section checksums are not verified here (see `ArtifactFile.verify`).
    public static func parse(_ bytes: UnsafeRawBufferPointer, name: String) throws -> ArtifactLayout {
        func fail(_ message: String) -> SmeltError { SmeltError("\(name): \(message)") }
        let size = bytes.count
        guard size > 0 else { throw fail("not a Smelt artifact (empty file)") }
        for i in 0 ..< min(size, magic.count) where bytes[i] != magic[i] {
            let gguf = size >= 4 && bytes[0 ..< 4].elementsEqual("GGUF".utf8)
            throw fail(gguf ? "not a Smelt artifact (bad magic; this is a GGUF checkpoint, which `smelt run` reads directly)"
                            : "not a Smelt artifact (bad magic)")
        }
        guard size >= 12 else { throw fail("truncated: the header ends at byte \(headerBytes), file has \(size) bytes") }
        let version = read32(bytes, 8)
        guard version == formatVersion else {
            throw fail("format version \(version), this smelt reads version \(formatVersion)")
        }
        guard size >= headerBytes else {
            throw fail("truncated: the header ends at byte \(headerBytes), file has \(size) bytes")
        }
        let tableEnd = Int(read32(bytes, 12))
        let count = Int(read32(bytes, 16))
        guard count <= maxSections else {
            throw fail("the section table claims \(count) sections, at most \(maxSections) are allowed (corrupt header?)")
        }
        guard tableEnd == headerBytes + count * sectionEntryBytes else {
            throw fail("the header says the section table ends at byte \(tableEnd), but \(count) sections end at byte \(headerBytes + count * sectionEntryBytes) (corrupt header?)")
        }
        guard size >= tableEnd else {
            throw fail("truncated: the section table ends at byte \(tableEnd), file has \(size) bytes")
        }
        var header = Array(bytes[0 ..< tableEnd])
        let storedChecksum = read64(bytes, headerChecksumOffset)
        for i in 0 ..< 8 { header[headerChecksumOffset + i] = 0 }
        guard XXHash64.hash(header) == storedChecksum else { throw fail("header checksum mismatch (file corrupted?)") }

        let chunk = Int(read32(bytes, 20))
        guard chunk >= 4096, chunk <= 1 << 30, chunk & (chunk - 1) == 0 else {
            throw fail("checksum chunk size \(chunk) is not a power of two between 4 KiB and 1 GiB")
        }
        let recordedSize = read64(bytes, 24)
        guard recordedSize <= UInt64(Int.max) else { throw fail("the header records an absurd file size \(recordedSize)") }
        let fileBytes = Int(recordedSize)

        var sections: [ArtifactSection] = []
        for index in 0 ..< count {
            let section = try readEntry(bytes, index: index, tableEnd: tableEnd, fileBytes: fileBytes, fail: fail)
            guard !sections.contains(where: { $0.name == section.name }) else {
                throw fail("section '\(section.name)' appears twice in the section table")
            }
            guard section.end <= size else {
                throw fail("truncated: section '\(section.name)' ends at byte \(section.end), file has \(size) bytes")
            }
            sections.append(section)
        }
        let sorted = sections.sorted { $0.offset < $1.offset }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.end > b.offset {
            throw fail("sections '\(a.name)' (bytes \(a.offset)..<\(a.end)) and '\(b.name)' (bytes \(b.offset)..<\(b.end)) overlap")
        }
        for required in SectionName.required where !sections.contains(where: { $0.name == required }) {
            throw fail("missing section '\(required)'")
        }
        if let weights = sections.first(where: { $0.name == SectionName.weights }), weights.offset % 4096 != 0 {
            throw fail("section 'weights' starts at byte \(weights.offset), which is not a multiple of 4096")
        }
        guard size == fileBytes else {
            throw size < fileBytes
                ? fail("truncated: file has \(size) bytes, the header says \(fileBytes)")
                : fail("file has \(size) bytes, the header says \(fileBytes) (something appended?)")
        }
        return ArtifactLayout(formatVersion: version, checksumChunkBytes: chunk, fileBytes: fileBytes, sections: sections)
    }

    private static func readEntry(_ bytes: UnsafeRawBufferPointer, index: Int, tableEnd: Int, fileBytes: Int,
                                  fail: (String) -> SmeltError) throws -> ArtifactSection {
        let at = headerBytes + index * sectionEntryBytes
        let rawName = bytes[at ..< at + sectionNameBytes].prefix { $0 != 0 }
        guard !rawName.isEmpty, rawName.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw fail("section table entry \(index) has no readable name (corrupt header?)")
        }
        let name = String(decoding: rawName, as: UTF8.self)
        let offset = read64(bytes, at + 16)
        let length = read64(bytes, at + 24)
        let alignment = read32(bytes, at + 40)
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard !overflow, end <= UInt64(Int.max) else {
            throw fail("section '\(name)' has offset \(offset) and length \(length), past any possible file")
        }
        guard end <= UInt64(fileBytes) else {
            throw fail("section '\(name)' ends at byte \(end), past the \(fileBytes)-byte file the header records")
        }
        guard Int(offset) >= tableEnd else {
            throw fail("section '\(name)' starts at byte \(offset), inside the header (which ends at byte \(tableEnd))")
        }
        guard alignment > 0, alignment & (alignment - 1) == 0 else {
            throw fail("section '\(name)' has alignment \(alignment), not a power of two")
        }
        guard offset % UInt64(alignment) == 0 else {
            throw fail("section '\(name)' starts at byte \(offset), not a multiple of its alignment \(alignment)")
        }
        return ArtifactSection(name: name, offset: Int(offset), length: Int(length),
                               checksum: read64(bytes, at + 32), alignment: Int(alignment))
    }
}

func read32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
    UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
}

func read64(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
    UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
}
