/// Parses the header, metadata and tensor-info table of a GGUF v2/v3 file.
///
/// Layout (all little-endian): magic `GGUF`, u32 version, u64 tensor count,
/// u64 metadata count, the metadata key/value pairs, the tensor infos
/// (string name, u32 n_dims, u64 dims innermost first, u32 ggml type, u64
/// offset into the data section), padding to `general.alignment` (default
/// 32), then the data section.
///
/// Everything read from the file is distrusted: counts are checked against
/// the bytes that remain before anything is allocated, lengths and nesting
/// are capped, and size arithmetic reports overflow instead of trapping.
struct GGUFParser {
    /// What a parse yields; `GGUFFile` wraps it.
    struct Result {
        var version: Int
        var metadata: [String: GGUFValue]
        var metadataKeys: [String]
        var tensors: [GGUFTensorInfo]
        var alignment: Int
        var dataOffset: Int
    }

    static let defaultAlignment = 32
    /// Longest metadata key accepted.
    static let maxKeyLength = 65_536
    /// Longest tensor name accepted (GGML itself allows 63 bytes).
    static let maxTensorNameLength = 4_096
    /// Longest string value accepted (beyond the bytes that remain).
    static let maxStringLength = 256 << 20
    /// Deepest array-of-array nesting accepted.
    static let maxArrayDepth = 8
    /// GGML tensors have at most four dimensions.
    static let maxDims = 4

    var cursor: GGUFCursor

    private init(_ bytes: UnsafeRawBufferPointer) { cursor = GGUFCursor(bytes) }

    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> Result {
        var p = GGUFParser(bytes)
        return try p.parseFile()
    }

    private mutating func parseFile() throws -> Result {
        let version = try parseMagicAndVersion()
        let tensorCount = try readCount("tensor count", minimumEach: 24, of: "tensor infos")
        let kvCount = try readCount("metadata count", minimumEach: 13, of: "metadata entries")

        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        metadata.reserveCapacity(kvCount)
        keys.reserveCapacity(kvCount)
        for i in 0..<kvCount {
            let at = cursor.offset
            let key = try cursor.string("metadata key #\(i)", maxLength: Self.maxKeyLength)
            guard metadata[key] == nil else {
                throw GGUFError("metadata key '\(key)' at offset \(at) appears twice")
            }
            let tag = try readValueType("metadata key '\(key)' type")
            metadata[key] = try readValue(tag, depth: 0, "metadata key '\(key)'")
            keys.append(key)
        }

        let alignment = try Self.alignment(from: metadata)
        var raw: [RawTensorInfo] = []
        raw.reserveCapacity(tensorCount)
        var seen: [String: Int] = [:]
        for i in 0..<tensorCount {
            let info = try readTensorInfo(index: i)
            if let first = seen[info.name] {
                throw GGUFError(
                    "tensor '\(info.name)' at offset \(info.infoOffset) duplicates tensor #\(first)")
            }
            seen[info.name] = i
            raw.append(info)
        }

        guard let dataOffset = cursor.alignedOffset(alignment) else {
            throw GGUFError("data section offset overflows after tensor infos at offset \(cursor.offset)")
        }
        let fileSize = cursor.bytes.count
        let tensors = try raw.map { try Self.check($0, dataOffset: dataOffset, alignment: alignment, fileSize: fileSize) }
        return Result(
            version: version, metadata: metadata, metadataKeys: keys, tensors: tensors,
            alignment: alignment, dataOffset: dataOffset)
    }

    private mutating func parseMagicAndVersion() throws -> Int {
        let bytes = cursor.bytes
        guard bytes.count >= 4 else {
            throw GGUFError("file is \(bytes.count) bytes, too short for the 4-byte GGUF magic")
        }
        let magic = [bytes[0], bytes[1], bytes[2], bytes[3]]
        guard magic == Array("GGUF".utf8) else {
            let hex = magic.map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            throw GGUFError("bad magic at offset 0: bytes \(hex), expected 'GGUF' (47 47 55 46)")
        }
        _ = try cursor.u32("magic")
        let version = try cursor.u32("version")
        switch version {
        case 2, 3:
            return Int(version)
        case 1:
            throw GGUFError("version 1 at offset 4 is not supported (its counts are 32-bit); only versions 2 and 3 are")
        case 2 << 24, 3 << 24:
            throw GGUFError("version at offset 4 reads as \(version): a big-endian GGUF file, which is not supported")
        default:
            throw GGUFError("unsupported version \(version) at offset 4; only versions 2 and 3 are supported")
        }
    }

    /// Reads a u64 count and refuses it if that many records (each at least
    /// `minimumEach` bytes) could not fit in the rest of the file.
    private mutating func readCount(_ what: String, minimumEach: Int, of things: String) throws -> Int {
        let at = cursor.offset
        let raw = try cursor.u64(what)
        let fit = (cursor.remaining / minimumEach)
        guard raw <= UInt64(fit) else {
            throw GGUFError(
                "\(what) at offset \(at) is \(raw), but the remaining \(cursor.remaining) bytes "
                    + "can hold at most \(fit) \(things)")
        }
        return Int(raw)
    }

    private mutating func readValueType(_ what: @autoclosure () -> String) throws -> GGUFValueType {
        let at = cursor.offset
        let raw = try cursor.u32(what())
        guard let tag = GGUFValueType(rawValue: raw) else {
            throw GGUFError("\(what()) at offset \(at): unknown value type \(raw)")
        }
        return tag
    }

    private mutating func readValue(
        _ tag: GGUFValueType, depth: Int, _ what: @autoclosure () -> String
    ) throws -> GGUFValue {
        switch tag {
        case .uint8: return .uint8(try cursor.integer(UInt8.self, what()))
        case .int8: return .int8(try cursor.integer(Int8.self, what()))
        case .uint16: return .uint16(try cursor.integer(UInt16.self, what()))
        case .int16: return .int16(try cursor.integer(Int16.self, what()))
        case .uint32: return .uint32(try cursor.integer(UInt32.self, what()))
        case .int32: return .int32(try cursor.integer(Int32.self, what()))
        case .uint64: return .uint64(try cursor.integer(UInt64.self, what()))
        case .int64: return .int64(try cursor.integer(Int64.self, what()))
        case .float32: return .float32(Float(bitPattern: try cursor.integer(UInt32.self, what())))
        case .float64: return .float64(Double(bitPattern: try cursor.integer(UInt64.self, what())))
        case .bool: return .bool(try readBool(what()))
        case .string: return .string(try cursor.string(what(), maxLength: Self.maxStringLength))
        case .array: return .array(try readArray(depth: depth + 1, what()))
        }
    }

    private mutating func readBool(_ what: @autoclosure () -> String) throws -> Bool {
        let at = cursor.offset
        switch try cursor.integer(UInt8.self, what()) {
        case 0: return false
        case 1: return true
        case let b: throw GGUFError("\(what()) at offset \(at): bool byte is \(b), expected 0 or 1")
        }
    }

    private mutating func readArray(depth: Int, _ what: @autoclosure () -> String) throws -> GGUFArray {
        let at = cursor.offset
        guard depth <= Self.maxArrayDepth else {
            throw GGUFError("\(what()) at offset \(at): arrays nested deeper than \(Self.maxArrayDepth) levels")
        }
        let element = try readValueType("\(what()) element type")
        let n = try readCount("\(what()) element count", minimumEach: element.minimumEncodedSize,
                              of: "\(element) elements")
        switch element {
        case .uint8: return .uint8(try cursor.integers(UInt8.self, count: n, what()))
        case .int8: return .int8(try cursor.integers(Int8.self, count: n, what()))
        case .uint16: return .uint16(try cursor.integers(UInt16.self, count: n, what()))
        case .int16: return .int16(try cursor.integers(Int16.self, count: n, what()))
        case .uint32: return .uint32(try cursor.integers(UInt32.self, count: n, what()))
        case .int32: return .int32(try cursor.integers(Int32.self, count: n, what()))
        case .uint64: return .uint64(try cursor.integers(UInt64.self, count: n, what()))
        case .int64: return .int64(try cursor.integers(Int64.self, count: n, what()))
        case .float32:
            return .float32(try cursor.integers(UInt32.self, count: n, what()).map(Float.init(bitPattern:)))
        case .float64:
            return .float64(try cursor.integers(UInt64.self, count: n, what()).map(Double.init(bitPattern:)))
        case .bool:
            var out: [Bool] = []
            out.reserveCapacity(n)
            for i in 0..<n { out.append(try readBool("\(what())[\(i)]")) }
            return .bool(out)
        case .string:
            var out: [String] = []
            out.reserveCapacity(n)
            for i in 0..<n { out.append(try cursor.string("\(what())[\(i)]", maxLength: Self.maxStringLength)) }
            return .string(out)
        case .array:
            var out: [GGUFArray] = []
            out.reserveCapacity(n)
            for i in 0..<n { out.append(try readArray(depth: depth + 1, "\(what())[\(i)]")) }
            return .array(out)
        }
    }

    /// `general.alignment` if present: an integer power of two.
    private static func alignment(from metadata: [String: GGUFValue]) throws -> Int {
        guard let value = metadata["general.alignment"] else { return defaultAlignment }
        guard let a = value.intValue else {
            throw GGUFError("metadata key 'general.alignment' is \(value.typeDescription), expected an integer")
        }
        guard a > 0, a <= 1 << 30, a & (a - 1) == 0 else {
            throw GGUFError("metadata key 'general.alignment' is \(a), expected a power of two up to 2^30")
        }
        return a
    }
}
