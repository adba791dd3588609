import SmeltIR

/// A `.smelt` file mapped into memory with its header and section table
/// checked, before any section is decoded. `smelt inspect` uses it to show a
/// damaged file; `Artifact` builds on it.
public final class ArtifactFile: @unchecked Sendable {
    /// The path (or name) errors start with.
    public let name: String
    public let layout: ArtifactLayout
    private let storage: MappedFile

    /// Maps `path` read-only and checks its header and section table.
    public convenience init(path: String) throws {
        try self.init(storage: MappedFile(path: path, displayName: path), name: path)
    }

    /// Reads an artifact held in memory (the bytes are copied).
    public convenience init(bytes: [UInt8], name: String) throws {
        try self.init(storage: MappedFile(copying: bytes), name: name)
    }

    private init(storage: MappedFile, name: String) throws {
        self.storage = storage
        self.name = name
        layout = try ArtifactLayout.parse(storage.bytes, name: name)
    }

    /// The whole file. Valid while this object lives.
    public var bytes: UnsafeRawBufferPointer { storage.bytes }

    /// A section's bytes. Valid while this object lives.
    public func bytes(of section: ArtifactSection) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage.bytes[section.offset ..< section.end])
    }

    /// Whether `section`'s bytes match its recorded checksum.
    public func checksumMatches(_ section: ArtifactSection) -> Bool {
        SectionChecksum.compute(bytes(of: section), chunkBytes: layout.checksumChunkBytes) == section.checksum
    }

    /// Throws, naming the first section whose checksum does not match.
    public func verifyChecksums() throws {
        for section in layout.sections where !checksumMatches(section) {
            throw SmeltError("\(name): section '\(section.name)' checksum mismatch (file corrupted?)")
        }
    }

    func section(_ sectionName: String) -> ArtifactSection {
        // The parser guarantees every required section is present.
        layout.section(named: sectionName)!
    }
}

/// A loaded `.smelt` artifact: everything `smelt run` needs, read from one
/// mapped file. The weights are not copied; `weights` points into the
/// mapping and stays valid while the artifact lives.
public final class Artifact: @unchecked Sendable {
    public let file: ArtifactFile
    public let manifest: ArtifactManifest
    /// The execution plan with every kernel's SPIR-V filled back in.
    public let plan: ExecutionPlan
    public let tokenizer: TokenizerData

    /// Opens `path`: maps it, checks the header and every section's
    /// checksum (the weights' in parallel chunks), decodes the manifest,
    /// plan and tokenizer, and validates the plan against the weights.
    public convenience init(path: String) throws {
        try self.init(file: ArtifactFile(path: path))
    }

    /// Reads an artifact from bytes in memory (copied), e.g. in tests.
    public convenience init(bytes: [UInt8], name: String) throws {
        try self.init(file: ArtifactFile(bytes: bytes, name: name))
    }

    public init(file: ArtifactFile, verifyChecksums: Bool = true) throws {
        self.file = file
        if verifyChecksums { try file.verifyChecksums() }
        let name = file.name
        let stored = try StoredManifest.decode(file.bytes(of: file.section(SectionName.manifest)), name: name)
        let weightsSection = file.section(SectionName.weights)
        guard stored.weightsBytes == weightsSection.length else {
            throw SmeltError("\(name): the manifest expects \(stored.weightsBytes) bytes of weights, section 'weights' has \(weightsSection.length)")
        }
        var plan = stored.plan
        guard stored.kernelCode.count == plan.kernels.count else {
            throw SmeltError("\(name): section 'manifest': \(plan.kernels.count) kernels but \(stored.kernelCode.count) SPIR-V ranges")
        }
        let spirv = file.bytes(of: file.section(SectionName.spirv))
        for (i, range) in stored.kernelCode.enumerated() {
            let (end, overflow) = range.offset.addingReportingOverflow(range.bytes)
            guard range.offset >= 0, range.bytes > 0, range.offset % 4 == 0, range.bytes % 4 == 0,
                  !overflow, end <= spirv.count else {
                throw SmeltError("\(name): kernel \(i) '\(plan.kernels[i].name)': SPIR-V bytes \(range.offset)..<\(range.offset &+ range.bytes) are not whole words inside the \(spirv.count)-byte 'spirv' section")
            }
            plan.kernels[i].spirv = (0 ..< range.bytes / 4).map { read32(spirv, range.offset + 4 * $0) }
        }
        if let problem = plan.validationProblem(weightsBytes: weightsSection.length) {
            throw SmeltError("\(name): invalid plan: \(problem)")
        }
        manifest = stored.manifest
        self.plan = plan
        tokenizer = try TokenizerData(binary: file.bytes(of: file.section(SectionName.tokenizer)), name: name)
    }

    /// The packed weights; each weight buffer's `weightOffset` is relative to
    /// the start. Page-aligned (4096) in the mapping.
    public var weights: UnsafeRawBufferPointer { file.bytes(of: file.section(SectionName.weights)) }
}
