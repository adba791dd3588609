import Foundation
import SmeltIR

/// One tensor entry of a safetensors header, checked against the file.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public let name: String
    /// The dtype string as stored (`F32`, `BF16`, `I64`, ...).
    public let dtypeName: String
    /// Shape outermost first, as stored.
    public let shape: [Int]
    /// Where the data starts, from the start of the file.
    public let fileOffset: Int
    public let byteCount: Int

    /// Smelt's dtype, or nil for a dtype Smelt cannot read as a weight.
    public var dtype: DType? { SafetensorsDType.smeltType(dtypeName) }
}

/// The dtypes of the safetensors format and their element sizes.
enum SafetensorsDType {
    static func smeltType(_ name: String) -> DType? {
        switch name {
        case "F32": .f32
        case "F16": .f16
        case "BF16": .bf16
        default: nil
        }
    }

    /// Bytes per element; nil for a name this reader does not know (its
    /// entries are listed with their offsets checked, but not their size).
    static func elementSize(_ name: String) -> Int? {
        switch name {
        case "BOOL", "U8", "I8", "F8_E4M3", "F8_E5M2", "F8_E8M0": 1
        case "U16", "I16", "F16", "BF16": 2
        case "U32", "I32", "F32": 4
        case "U64", "I64", "F64", "C64": 8
        default: nil
        }
    }
}

/// Decodes and checks the JSON header: `{name: {dtype, shape,
/// data_offsets: [begin, end]}, "__metadata__": {string: string}}`, with
/// offsets relative to the byte buffer that follows the header.
struct SafetensorsHeaderParser {
    /// The format's own limit on header size.
    static let maxHeaderLength = 100_000_000

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct RawEntry: Decodable {
        let dtype: String
        let shape: [Int]
        let data_offsets: [Int]
    }

    /// Raw header contents, in no particular order.
    private struct RawHeader: Decodable {
        var entries: [(String, RawEntry)] = []
        var metadata: [String: String] = [:]

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            for key in c.allKeys {
                if key.stringValue == "__metadata__" {
                    metadata = try c.decode([String: String].self, forKey: key)
                } else {
                    entries.append((key.stringValue, try c.decode(RawEntry.self, forKey: key)))
                }
            }
        }
    }

    /// Parses the whole file image: header length, JSON, entries.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> (tensors: [SafetensorsTensorInfo], metadata: [String: String]) {
        guard bytes.count >= 8 else {
            throw SafetensorsError("file is \(bytes.count) bytes, too short for the 8-byte header length")
        }
        let rawLength = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard rawLength <= UInt64(maxHeaderLength) else {
            throw SafetensorsError("header length \(rawLength) at offset 0 exceeds the \(maxHeaderLength)-byte limit")
        }
        let headerLength = Int(rawLength)
        guard headerLength <= bytes.count - 8 else {
            throw SafetensorsError(
                "header length \(headerLength) at offset 0 runs past end of file (\(bytes.count) bytes)")
        }
        guard headerLength >= 2 else {
            throw SafetensorsError("header length \(headerLength) is too short for a JSON object")
        }
        let json = Data(UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerLength)]))
        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: json)
        } catch let e as DecodingError {
            throw SafetensorsError("header JSON (offset 8, \(headerLength) bytes): \(describe(e))")
        } catch {
            throw SafetensorsError("header JSON (offset 8, \(headerLength) bytes) is not valid JSON")
        }
        let dataStart = 8 + headerLength
        let dataSize = bytes.count - dataStart
        let tensors = try raw.entries.map { try check($0.0, $0.1, dataStart: dataStart, dataSize: dataSize) }
            .sorted { ($0.fileOffset, $0.name) < ($1.fileOffset, $1.name) }
        return (tensors, raw.metadata)
    }

    private static func check(_ name: String, _ e: RawEntry, dataStart: Int, dataSize: Int) throws -> SafetensorsTensorInfo {
        guard e.shape.allSatisfy({ $0 >= 0 }) else {
            throw SafetensorsError("tensor '\(name)': shape \(e.shape) has a negative dimension")
        }
        var elements = 1
        for d in e.shape {
            let (p, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow else { throw SafetensorsError("tensor '\(name)': shape \(e.shape) overflows the element count") }
            elements = p
        }
        guard e.data_offsets.count == 2 else {
            throw SafetensorsError("tensor '\(name)': data_offsets \(e.data_offsets) must be [begin, end]")
        }
        let begin = e.data_offsets[0], end = e.data_offsets[1]
        guard begin >= 0, begin <= end else {
            throw SafetensorsError("tensor '\(name)': data_offsets [\(begin), \(end)) are not an increasing pair")
        }
        guard end <= dataSize else {
            throw SafetensorsError(
                "tensor '\(name)': data_offsets [\(begin), \(end)) run past the end of the data "
                    + "(\(dataSize) bytes after the header)")
        }
        if let size = SafetensorsDType.elementSize(e.dtype) {
            let (needed, overflow) = elements.multipliedReportingOverflow(by: size)
            guard !overflow, needed == end - begin else {
                throw SafetensorsError(
                    "tensor '\(name)': data_offsets [\(begin), \(end)) hold \(end - begin) bytes, "
                        + "but shape \(e.shape) of \(e.dtype) needs \(overflow ? "more" : String(needed))")
            }
        }
        return SafetensorsTensorInfo(
            name: name, dtypeName: e.dtype, shape: e.shape, fileOffset: dataStart + begin, byteCount: end - begin)
    }

    /// A decoding error as a sentence naming the tensor and field.
    static func describe(_ e: DecodingError) -> String {
        func path(_ p: [CodingKey]) -> String {
            guard let first = p.first else { return "top level" }
            let rest = p.dropFirst().map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return "'\(first.stringValue)'\(rest)"
        }
        switch e {
        case .typeMismatch(let type, let ctx):
            return "\(path(ctx.codingPath)): expected \(type)"
        case .valueNotFound(let type, let ctx):
            return "\(path(ctx.codingPath)): expected \(type), found null"
        case .keyNotFound(let key, let ctx):
            return "\(path(ctx.codingPath)): missing field '\(key.stringValue)'"
        case .dataCorrupted(let ctx):
            return ctx.codingPath.isEmpty ? "not valid JSON" : "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default:
            return "\(e)"
        }
    }
}
