#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SmeltIR

/// Writes `.smelt` files. The file appears whole or not at all: it is
/// written to a temporary file beside `path`, checksummed, synced, and
/// renamed over `path`.
public enum ArtifactWriter {
    /// How far a write has come; the weights dominate both phases.
    public struct Progress: Sendable {
        public enum Phase: String, Sendable { case writing, checksumming, done }
        public var phase: Phase
        public var bytesDone: Int
        public var bytesTotal: Int
    }

    /// Section alignments. The weights are page-aligned so the runtime can
    /// map them and upload straight from the mapping.
    static let weightsAlignment = 4096
    static let smallAlignment = 16
    /// Bytes per write call and per progress report.
    static let writePiece = 8 << 20

    /// Writes an artifact whose weights section is `weights`, concatenated.
    /// Every `weightOffset` in `plan` is relative to the start of that
    /// concatenation; the plan is validated against it before anything is
    /// written. The kernels' SPIR-V goes to its own section.
    public static func write(to path: String, manifest: ArtifactManifest, plan: ExecutionPlan,
                             weights: [UnsafeRawBufferPointer], tokenizer: TokenizerData,
                             progress: ((Progress) -> Void)? = nil) throws {
        let weightsBytes = weights.reduce(0) { $0 + $1.count }
        if let problem = plan.validationProblem(weightsBytes: weightsBytes) {
            throw SmeltError("\(path): refusing to write an invalid plan: \(problem)")
        }
        let (spirv, ranges) = packSPIRV(plan.kernels)
        var stripped = plan
        for i in stripped.kernels.indices { stripped.kernels[i].spirv = [] }
        let stored = StoredManifest(manifest: manifest, plan: stripped, kernelCode: ranges, weightsBytes: weightsBytes)
        let small: [(String, [UInt8])] = [
            (SectionName.manifest, try stored.encoded()),
            (SectionName.spirv, spirv),
            (SectionName.tokenizer, try tokenizer.binaryEncoded(name: path)),
        ]

        // Lay out: header and table, the small sections, then the weights.
        var sections: [ArtifactSection] = []
        var cursor = ArtifactLayout.headerBytes + (small.count + 1) * ArtifactLayout.sectionEntryBytes
        for (name, bytes) in small {
            cursor = align(cursor, smallAlignment)
            sections.append(ArtifactSection(name: name, offset: cursor, length: bytes.count, checksum: 0,
                                            alignment: smallAlignment))
            cursor += bytes.count
        }
        cursor = align(cursor, weightsAlignment)
        sections.append(ArtifactSection(name: SectionName.weights, offset: cursor, length: weightsBytes, checksum: 0,
                                        alignment: weightsAlignment))
        var layout = ArtifactLayout(checksumChunkBytes: SectionChecksum.defaultChunkBytes,
                                    fileBytes: cursor + weightsBytes, sections: sections)

        let temporary = path + ".partial-\(getpid())"
        let file = try OutputFile(path: temporary, displayName: path)
        var renamed = false
        defer {
            file.close()
            if !renamed { unlink(temporary) }
        }
        let total = layout.fileBytes
        var done = 0
        func put(_ bytes: UnsafeRawBufferPointer) throws {
            var rest = bytes
            while !rest.isEmpty {
                let piece = UnsafeRawBufferPointer(rebasing: rest.prefix(writePiece))
                try file.write(piece)
                done += piece.count
                rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(piece.count))
                progress?(Progress(phase: .writing, bytesDone: done, bytesTotal: total))
            }
        }
        func pad(to offset: Int) throws {
            try [UInt8](repeating: 0, count: offset - done).withUnsafeBytes { try put($0) }
        }
        // A placeholder table first; the real one, with checksums, at the end.
        try pad(to: layout.tableEndOffset)
        for (index, (_, bytes)) in small.enumerated() {
            try pad(to: sections[index].offset)
            try bytes.withUnsafeBytes { try put($0) }
        }
        try pad(to: sections[small.count].offset)
        for chunk in weights { try put(chunk) }

        // Checksum what is in the file (the page cache), not the inputs, so
        // the checksum vouches for the bytes a reader will see.
        progress?(Progress(phase: .checksumming, bytesDone: 0, bytesTotal: total))
        let mapped = try MappedFile(path: temporary, displayName: path)
        for i in layout.sections.indices {
            let s = layout.sections[i]
            let bytes = UnsafeRawBufferPointer(rebasing: mapped.bytes[s.offset ..< s.end])
            layout.sections[i].checksum = SectionChecksum.compute(bytes, chunkBytes: layout.checksumChunkBytes)
            progress?(Progress(phase: .checksumming, bytesDone: s.end, bytesTotal: total))
        }
        try layout.encoded().withUnsafeBytes { try file.write($0, at: 0) }
        try file.sync()
        guard rename(temporary, path) == 0 else {
            throw SmeltError("\(path): cannot rename \(temporary) into place: \(errnoText())")
        }
        renamed = true
        progress?(Progress(phase: .done, bytesDone: total, bytesTotal: total))
    }

    /// Writes an artifact whose weights are one contiguous blob.
    public static func write(to path: String, manifest: ArtifactManifest, plan: ExecutionPlan,
                             weights: UnsafeRawBufferPointer, tokenizer: TokenizerData,
                             progress: ((Progress) -> Void)? = nil) throws {
        try write(to: path, manifest: manifest, plan: plan, weights: [weights], tokenizer: tokenizer,
                  progress: progress)
    }

    /// Writes an artifact whose weights are an array of bytes.
    public static func write(to path: String, manifest: ArtifactManifest, plan: ExecutionPlan,
                             weights: [UInt8], tokenizer: TokenizerData,
                             progress: ((Progress) -> Void)? = nil) throws {
        try weights.withUnsafeBytes {
            try write(to: path, manifest: manifest, plan: plan, weights: [$0], tokenizer: tokenizer,
                      progress: progress)
        }
    }

    static func align(_ n: Int, _ alignment: Int) -> Int { (n + alignment - 1) / alignment * alignment }
}
