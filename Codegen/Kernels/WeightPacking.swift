import SmeltIR
import SmeltModels

/// A weight matrix in a device layout (see `PackedLayout`): `rows` records
/// of `layout.rowStride` bytes, ready to upload as one storage buffer.
public struct PackedWeight: Sendable, Equatable {
    public let bytes: [UInt8]
    /// `"<dtype>/<packing>"`, e.g. `q8_0/rowPerInvocation`; recorded in
    /// artifacts so a loader can tell layouts apart.
    public let packing: String
    public let rows: Int
    public let cols: Int
    public let layout: PackedLayout

    /// Offsets within each row record; row `r`'s section starts at
    /// `r * rowStride + section.offset`.
    public var sections: [PackedSection] { layout.sections }
    public var rowStride: Int { layout.rowStride }

    /// Row ranges whose records each fit in `maxBytes` (a device's
    /// maxStorageBufferRange) and start at a multiple of `offsetAlignment`
    /// (minStorageBufferOffsetAlignment), so each can be bound on its own:
    /// bind bytes `rows.lowerBound * rowStride ..< rows.upperBound * rowStride`
    /// and push `rowOffset = rows.lowerBound`, `rowCount = rows.count`.
    public func rowWindows(maxBytes: Int, offsetAlignment: Int = 16) throws -> [Range<Int>] {
        try Self.rowWindows(rows: rows, rowStride: rowStride, maxBytes: maxBytes, offsetAlignment: offsetAlignment)
    }

    /// `rowWindows` for a matrix that is not packed yet.
    public static func rowWindows(rows: Int, rowStride: Int, maxBytes: Int,
                                  offsetAlignment: Int = 16) throws -> [Range<Int>] {
        guard rowStride > 0, offsetAlignment > 0 else {
            throw PackingError("row stride \(rowStride) and offset alignment \(offsetAlignment) must be positive")
        }
        // Window starts must be aligned; rows per window is a multiple of
        // the smallest row count whose bytes are aligned.
        var step = 1
        while (step * rowStride) % offsetAlignment != 0 { step += 1 }
        let fit = maxBytes / rowStride / step * step
        guard fit > 0 else {
            throw PackingError("a window of \(maxBytes) bytes holds no \(step)-row group of \(rowStride)-byte rows")
        }
        return stride(from: 0, to: rows, by: fit).map { $0..<min(rows, $0 + fit) }
    }
}

/// Packs every row of `tensor` (a 2-D `[out, in]` weight) for `packing`.
public func packWeight(_ tensor: WeightTensor, for packing: DevicePacking) throws -> PackedWeight {
    try packWeight(tensor, for: packing, rows: 0..<tensor.rowCount)
}

/// Packs rows `rows` of `tensor`: for a caller that keeps each window of a
/// big matrix in its own buffer.
public func packWeight(_ tensor: WeightTensor, for packing: DevicePacking, rows: Range<Int>) throws -> PackedWeight {
    let layout: PackedLayout
    do {
        layout = try PackedLayout(dtype: tensor.dtype, cols: tensor.rowLength)
    } catch let error as PackingError {
        throw PackingError("tensor '\(tensor.name)': " + error.description.dropFirst("pack weight: ".count))
    }
    let rowBytes: Int
    do {
        rowBytes = try tensor.rowByteCount()
    } catch {
        throw PackingError("\(error)")
    }
    guard rows.lowerBound >= 0, rows.upperBound <= tensor.rowCount else {
        throw PackingError("tensor '\(tensor.name)': rows \(rows) are outside 0..<\(tensor.rowCount)")
    }
    let pieces = blockPieces(tensor.dtype)
    let blockBytes = tensor.dtype.blockBytes
    let blocks = rowBytes / blockBytes
    var out = [UInt8](repeating: 0, count: rows.count * layout.rowStride)
    out.withUnsafeMutableBytes { dst in
        guard let dstBase = dst.baseAddress, let srcBase = tensor.bytes.baseAddress else { return }
        for (i, row) in rows.enumerated() {
            let src = srcBase + row * rowBytes
            let record = dstBase + i * layout.rowStride
            guard let pieces else {
                record.copyMemory(from: src, byteCount: rowBytes)
                continue
            }
            for b in 0..<blocks {
                for (piece, section) in zip(pieces, layout.sections) {
                    (record + section.offset + b * piece.length)
                        .copyMemory(from: src + b * blockBytes + piece.offset, byteCount: piece.length)
                }
            }
        }
    }
    return PackedWeight(bytes: out, packing: "\(tensor.dtype)/\(packing.rawValue)",
                        rows: rows.count, cols: tensor.rowLength, layout: layout)
}

/// Where each section's bytes sit in one GGML block, in section order
/// (ggml-common.h); nil for plain f32/f16 rows, which are copied whole.
private func blockPieces(_ dtype: DType) -> [(offset: Int, length: Int)]? {
    switch dtype {
    case .q8_0: [(2, 32), (0, 2)]
    case .q4_0: [(2, 16), (0, 2)]
    case .q5_0: [(6, 16), (2, 4), (0, 2)]
    // d, dmin and the 12 scale bytes are the first 16 bytes: one `meta` word.
    case .q4_k: [(16, 128), (0, 16)]
    case .q5_k: [(48, 128), (16, 32), (0, 16)]
    case .q6_k: [(0, 128), (128, 64), (192, 16), (208, 2)]
    case .f32, .f16, .bf16, .i32: nil
    }
}
