import SmeltIR

/// How weights are laid out for a device class. Only one today; a discrete
/// GPU, which wants loads coalesced across a subgroup, would add a case.
public enum DevicePacking: String, Hashable, Codable, Sendable {
    /// One invocation per output row reading its row with 16-byte loads
    /// (lavapipe and other CPU-like devices; see PERF_NOTES).
    case rowPerInvocation
}

/// Where one section of a packed row record lies.
public struct PackedSection: Hashable, Codable, Sendable {
    /// `qs`, `qh`, `scales`, `d`, `meta`, `w`: see `PackedLayout`.
    public var name: String
    /// Byte offset within the row record; always a multiple of 16.
    public var offset: Int
    /// Bytes of data (the record may pad after it to the next 16).
    public var size: Int
}

/// The device layout of one weight row: a record of `rowStride` bytes made
/// of 16-byte-aligned sections, so a kernel reads every section of its row
/// with `uvec4` loads. A packed matrix is `rows` records back to back, so
/// any row range is one contiguous, 16-byte-aligned byte range and a matrix
/// too big for one binding splits into row windows with no repacking.
///
/// Sections per dtype (nb = cols/32 blocks, ns = cols/256 super-blocks):
///
/// | dtype | sections |
/// |---|---|
/// | f32 | `w` cols × f32 |
/// | f16 | `w` cols × f16 |
/// | q8_0 | `qs` cols × i8 · `d` nb × f16 |
/// | q4_0 | `qs` nb × 16 B (GGML nibble order) · `d` nb × f16 |
/// | q5_0 | `qs` nb × 16 B · `qh` nb × u32 · `d` nb × f16 |
/// | q4_k | `qs` ns × 128 B · `meta` ns × 16 B (f16 d, f16 dmin, 12 scale bytes) |
/// | q5_k | `qs` ns × 128 B · `qh` ns × 32 B · `meta` ns × 16 B |
/// | q6_k | `ql` ns × 128 B · `qh` ns × 64 B · `scales` ns × 16 i8 · `d` ns × f16 |
///
/// Quant bytes keep GGML's order inside a block; only the interleaving of
/// blocks changes (quants of a row together, scales together), which makes
/// every section 16-byte aligned. K-quant scales stay in GGML's 12-byte
/// 6-bit form: decoding them is eight word operations per 256 weights,
/// cheaper than the extra bytes a pre-decoded form would read.
public struct PackedLayout: Hashable, Codable, Sendable {
    public let dtype: DType
    public let cols: Int
    /// Bytes per row record (a multiple of 16).
    public let rowStride: Int
    public let sections: [PackedSection]

    /// The layout of a row of `cols` weights of `dtype`; throws if the
    /// dtype has no kernel or `cols` does not fit its blocks.
    public init(dtype: DType, cols: Int) throws {
        let blocks: Int
        switch dtype {
        case .f32: blocks = 4
        case .f16: blocks = 8
        case .q8_0, .q5_0, .q4_0: blocks = 32
        case .q4_k, .q5_k, .q6_k: blocks = 256
        case .bf16, .i32:
            throw PackingError("no matvec kernel for \(dtype) weights (f32, f16, q8_0, q5_0, q4_0, q4_k, q5_k, q6_k have one)")
        }
        guard cols > 0, cols % blocks == 0 else {
            throw PackingError("a \(dtype) row of \(cols) columns is not a positive multiple of \(blocks)")
        }
        let nb = cols / 32, ns = cols / 256
        let parts: [(String, Int)] = switch dtype {
        case .f32: [("w", cols * 4)]
        case .f16: [("w", cols * 2)]
        case .q8_0: [("qs", cols), ("d", nb * 2)]
        case .q4_0: [("qs", nb * 16), ("d", nb * 2)]
        case .q5_0: [("qs", nb * 16), ("qh", nb * 4), ("d", nb * 2)]
        case .q4_k: [("qs", ns * 128), ("meta", ns * 16)]
        case .q5_k: [("qs", ns * 128), ("qh", ns * 32), ("meta", ns * 16)]
        case .q6_k: [("ql", ns * 128), ("qh", ns * 64), ("scales", ns * 16), ("d", ns * 2)]
        case .bf16, .i32: []
        }
        var offset = 0
        var sections: [PackedSection] = []
        for (name, size) in parts {
            sections.append(PackedSection(name: name, offset: offset, size: size))
            offset += (size + 15) / 16 * 16
        }
        self.dtype = dtype
        self.cols = cols
        self.rowStride = offset
        self.sections = sections
    }

    /// The section called `name`, if the layout has one.
    public func section(_ name: String) -> PackedSection? { sections.first { $0.name == name } }

    /// Section offsets in 16-byte words, in order, after the first (which is
    /// always at 0): the kernels' S1, S2, S3 specialization constants.
    public var sectionWords: [Int] { sections.dropFirst().map { $0.offset / 16 } }
}

/// A weight that cannot be packed for a device, with the tensor named.
public struct PackingError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = "pack weight: " + description }
}
