import Foundation
import SmeltIR
import SmeltModels
import Testing

/// Safetensors files written by the test: 8-byte little-endian header
/// length, JSON header, data. Values and their encodings are chosen here.
@Suite struct SafetensorsTests {
    static func file(header: String, data: [UInt8]) -> [UInt8] {
        var h = Array(header.utf8)
        while h.count % 8 != 0 { h.append(0x20) }   // the format pads with spaces
        var out: [UInt8] = []
        GGUFTestWriter.put(&out, UInt64(h.count))
        return out + h + data
    }

    static func le32(_ f: Float) -> [UInt8] { (0..<4).map { UInt8((f.bitPattern >> (8 * $0)) & 0xFF) } }

    /// A: F32 [2, 3]; B: F16 [4] = 1, −2, 0.5, 65504; C: BF16 [2] = 1, −3;
    /// D: I64 [1] (listed, not readable as a weight).
    static let sample: [UInt8] = {
        let a: [Float] = [1, 2, 3, -4, 5.5, -0.25]
        let f16: [UInt16] = [0x3C00, 0xC000, 0x3800, 0x7BFF]
        let bf16: [UInt16] = [0x3F80, 0xC040]
        var data = a.flatMap(le32)                        // [0, 24)
        data += f16.flatMap(QuantTestSupport.le16)        // [24, 32)
        data += bf16.flatMap(QuantTestSupport.le16)       // [32, 36)
        data += [7, 0, 0, 0, 0, 0, 0, 0]                  // [36, 44)
        let header = """
            {"__metadata__":{"format":"pt"},
             "B":{"dtype":"F16","shape":[4],"data_offsets":[24,32]},
             "A":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},
             "D":{"dtype":"I64","shape":[1],"data_offsets":[36,44]},
             "C":{"dtype":"BF16","shape":[2],"data_offsets":[32,36]}}
            """
        return file(header: header, data: data)
    }()

    @Test func readsF32F16AndBF16() throws {
        let f = try SafetensorsFile(bytes: Self.sample)
        #expect(f.tensorNames == ["A", "B", "C", "D"])    // data order
        #expect(f.metadata == ["format": "pt"])
        let a = try f.tensor(named: "A")
        #expect(a.dtype == .f32 && a.shape == [2, 3] && a.rowLength == 3 && a.rowCount == 2)
        #expect(try a.dequantized() == [1, 2, 3, -4, 5.5, -0.25])
        #expect(try a.dequantizeRow(1) == [-4, 5.5, -0.25])
        #expect(try f.tensor(named: "B").dequantized() == [1, -2, 0.5, 65504])
        #expect(try f.tensor(named: "C").dequantized() == [1, -3])
        #expect(f.tensorInfo(named: "D")?.dtypeName == "I64")
        do {
            _ = try f.tensor(named: "D")
            Issue.record("I64 should be refused")
        } catch let e as SafetensorsError {
            #expect(e.description.contains("'D'") && e.description.contains("I64"))
        }
        #expect(throws: SafetensorsError.self) { try f.tensor(named: "E") }
    }

    static func failure(_ bytes: [UInt8]) -> String? {
        do {
            _ = try SafetensorsFile(bytes: bytes)
            return nil
        } catch let e as SafetensorsError {
            return e.description
        } catch {
            return "unexpected error type: \(error)"
        }
    }

    @Test func malformedHeadersNameTheProblem() {
        let twelve = [UInt8](repeating: 0, count: 12)
        let cases: [(String, [UInt8], [String])] = [
            ("too short", [1, 2, 3], ["3 bytes"]),
            ("length past EOF", [0xFF, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x7D], ["header length 255", "past end"]),
            ("length over cap", [0, 0, 0, 0, 0, 0, 0, 1] + twelve, ["exceeds"]),
            ("not JSON", Self.file(header: "{nope", data: []), ["JSON"]),
            ("missing field", Self.file(header: #"{"w":{"dtype":"F32","shape":[1]}}"#, data: twelve),
             ["'w'", "data_offsets"]),
            ("wrong type", Self.file(header: #"{"w":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}"#, data: twelve),
             ["'w'", "shape"]),
            ("offsets past data", Self.file(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: twelve),
             ["'w'", "[0, 16)", "12 bytes"]),
            ("size mismatch", Self.file(header: #"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,12]}}"#, data: twelve),
             ["'w'", "12 bytes", "24"]),
            ("decreasing offsets", Self.file(header: #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, data: twelve),
             ["'w'", "[8, 4)"]),
            ("negative dim", Self.file(header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: twelve),
             ["'w'", "negative"]),
            ("three offsets", Self.file(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, data: twelve),
             ["'w'", "[begin, end]"]),
            ("overflowing shape", Self.file(header: #"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: twelve),
             ["'w'", "overflow"]),
        ]
        for (label, bytes, words) in cases {
            guard let message = Self.failure(bytes) else {
                Issue.record("\(label): expected an error")
                continue
            }
            #expect(message.hasPrefix("safetensors: "), "\(label)")
            for w in words { #expect(message.contains(w), "\(label): '\(message)' should mention '\(w)'") }
        }
    }

    @Test func everyTruncationThrows() {
        for n in 0..<Self.sample.count {
            #expect(Self.failure(Array(Self.sample[0..<n])) != nil, "truncated to \(n) bytes")
        }
    }

    @Test func unknownDtypesAreListedButRefused() throws {
        let f = try SafetensorsFile(bytes: Self.file(
            header: #"{"q":{"dtype":"F4X","shape":[3],"data_offsets":[0,5]}}"#, data: [1, 2, 3, 4, 5]))
        #expect(f.tensorNames == ["q"])
        #expect(throws: SafetensorsError.self) { try f.tensor(named: "q") }
    }
}
