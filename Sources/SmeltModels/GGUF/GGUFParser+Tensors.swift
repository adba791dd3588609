/// A tensor-info record as read, before its type and data range are checked.
struct RawTensorInfo {
    var name: String
    var dims: [Int]
    var typeID: UInt32
    var offset: UInt64
    var infoOffset: Int
}

extension GGUFParser {
    mutating func readTensorInfo(index i: Int) throws -> RawTensorInfo {
        let infoOffset = cursor.offset
        let name = try cursor.string("tensor #\(i) name", maxLength: Self.maxTensorNameLength)
        let dimsAt = cursor.offset
        let nDims = try cursor.u32("tensor '\(name)' n_dims")
        guard nDims <= UInt32(Self.maxDims) else {
            throw GGUFError("tensor '\(name)': n_dims at offset \(dimsAt) is \(nDims), at most \(Self.maxDims) allowed")
        }
        var dims: [Int] = []
        for d in 0..<Int(nDims) {
            let at = cursor.offset
            // Stored as u64; GGML treats them as int64, so the top bit is refused.
            let raw = try cursor.u64("tensor '\(name)' dimension \(d)")
            guard raw <= UInt64(Int64.max) else {
                throw GGUFError("tensor '\(name)': dimension \(d) at offset \(at) is \(raw), which is negative as int64")
            }
            dims.append(Int(raw))
        }
        let typeID = try cursor.u32("tensor '\(name)' type")
        let offset = try cursor.u64("tensor '\(name)' data offset")
        return RawTensorInfo(name: name, dims: dims, typeID: typeID, offset: offset, infoOffset: infoOffset)
    }

    /// Checks a tensor's type, block geometry and data range; all arithmetic
    /// reports overflow instead of trapping.
    static func check(_ t: RawTensorInfo, dataOffset: Int, alignment: Int, fileSize: Int) throws -> GGUFTensorInfo {
        let name = t.name
        guard let type = GGMLType(id: t.typeID) else {
            throw GGUFError("tensor '\(name)' (info at offset \(t.infoOffset)): unknown ggml type id \(t.typeID)")
        }
        var elements = 1
        for d in t.dims {
            let (p, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw GGUFError("tensor '\(name)': dimensions \(t.dims) overflow the element count")
            }
            elements = p
        }
        let rowLength = t.dims.first ?? 1
        guard rowLength % type.blockSize == 0 else {
            throw GGUFError(
                "tensor '\(name)': row length \(rowLength) is not a multiple of the \(type.name) block size \(type.blockSize)")
        }
        let (bytes, overflow) = (elements / type.blockSize).multipliedReportingOverflow(by: type.typeSize)
        guard !overflow else {
            throw GGUFError("tensor '\(name)': byte size of \(elements) \(type.name) elements overflows")
        }
        guard t.offset % UInt64(alignment) == 0 else {
            throw GGUFError("tensor '\(name)': data offset \(t.offset) is not a multiple of the alignment \(alignment)")
        }
        guard t.offset <= UInt64(Int.max - dataOffset) else {
            throw GGUFError(
                "tensor '\(name)': data [offset \(t.offset), \(bytes) bytes) runs past end of file (\(fileSize) bytes)")
        }
        let start = dataOffset + Int(t.offset)
        guard start <= fileSize, bytes <= fileSize - start else {
            throw GGUFError(
                "tensor '\(name)': data [offset \(start), \(bytes) bytes) runs past end of file (\(fileSize) bytes)")
        }
        return GGUFTensorInfo(
            name: name, dims: t.dims, typeID: t.typeID, offset: Int(t.offset), fileOffset: start,
            byteCount: bytes, infoOffset: t.infoOffset)
    }
}
