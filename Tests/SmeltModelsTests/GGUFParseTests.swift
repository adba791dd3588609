import Foundation
import SmeltIR
import SmeltModels
import Testing

/// Parsing well-formed GGUF images built by `GGUFTestWriter`.
@Suite struct GGUFParseTests {
    @Test(arguments: [UInt32(2), 3])
    func everyMetadataTypeRoundTrips(version: UInt32) throws {
        let w = GGUFTestWriter.sample(version: version)
        let f = try GGUFFile(bytes: w.build())
        #expect(f.version == Int(version))
        #expect(f.metadataKeys == w.metadata.map(\.0))
        for (key, value) in w.metadata {
            #expect(f.metadata[key] == value, "\(key)")
        }
        #expect(try f.string("general.architecture") == "testarch")
        #expect(try f.int("test.i8") == -100)
        #expect(try f.int("test.u32") == 4_000_000_000)
        #expect(try f.int("test.i64") == -9_000_000_000_000_000_000)
        #expect(try f.float("test.f32") == 1.5)
        #expect(try f.double("test.f64") == -2.25)
        #expect(try f.bool("test.bool"))
        #expect(try f.string("test.unicode") == "héllo ▁world")
        #expect(try f.stringArray("test.tokens") == ["<pad>", "<eos>", "a", "▁b"])
        #expect(try f.floatArray("test.scores") == [0, -1.5, 2.25, 3])
        #expect(try f.intArray("test.types") == [1, 3, 1, -1])
        #expect(try f.array("test.nested") == .array([.uint8([1, 2]), .string(["x"]), .array([.int16([-7])])]))
    }

    @Test func accessorErrorsNameTheKey() throws {
        let f = try GGUFFile(bytes: GGUFTestWriter.sample().build())
        #expect(f.contains("test.u8") && !f.contains("nope"))
        #expect(f.value("nope") == nil)
        let cases: [(String, () throws -> Void)] = [
            ("missing.key", { _ = try f.string("missing.key") }),
            ("test.u8", { _ = try f.string("test.u8") }),
            ("test.tokens", { _ = try f.int("test.tokens") }),
            ("test.scores", { _ = try f.stringArray("test.scores") }),
            ("test.u64s", { _ = try f.intArray("test.u64s") }),     // UInt64.max does not fit
            ("test.bool", { _ = try f.float("test.bool") }),
        ]
        for (key, call) in cases {
            do {
                try call()
                Issue.record("expected an error for \(key)")
            } catch let e as GGUFError {
                #expect(e.description.hasPrefix("gguf: "))
                #expect(e.description.contains("'\(key)'"), "\(e)")
            }
        }
    }

    @Test(arguments: [nil, 64, 128] as [Int?])
    func alignmentPlacesTheDataSection(alignment: Int?) throws {
        let w = GGUFTestWriter.sample(alignment: alignment)
        let bytes = w.build()
        let f = try GGUFFile(bytes: bytes)
        let a = alignment ?? 32
        #expect(f.alignment == a)
        #expect(f.dataOffset % a == 0)
        for (info, t) in zip(f.tensors, w.tensors) {
            #expect(info.name == t.name)
            #expect(info.fileOffset % a == 0)
            #expect(Array(bytes[info.fileOffset..<(info.fileOffset + info.byteCount)]) == t.data)
        }
    }

    @Test func tensorsAreServedAsWeights() throws {
        let f = try GGUFFile(bytes: GGUFTestWriter.sample().build())
        #expect(f.tensorNames == ["norm.weight", "blk.0.q.weight", "odd.weight"])
        let norm = try f.tensor(named: "norm.weight")
        #expect(norm.dtype == .f32 && norm.shape == [4])
        #expect(try norm.dequantized() == [1, -2, 0.5, 3])

        // GGUF dims [32, 2] (innermost first) are shape [2, 32] outermost first.
        let q = try f.tensor(named: "blk.0.q.weight")
        #expect(q.dtype == .q8_0 && q.shape == [2, 32] && q.rowLength == 32 && q.rowCount == 2)
        #expect(try q.dequantizeRow(0) == (0..<32).map(Float.init))
        #expect(try q.dequantizeRow(1) == (0..<32).map { Float(-$0) })

        // Listed, but not decodable: the error names the tensor and the type.
        let odd = try #require(f.tensorInfo(named: "odd.weight"))
        #expect(odd.ggmlType.name == "Q4_1" && odd.dtype == nil && odd.byteCount == 20)
        do {
            _ = try f.tensor(named: "odd.weight")
            Issue.record("Q4_1 should be refused")
        } catch let e as GGUFError {
            #expect(e.description.contains("'odd.weight'") && e.description.contains("Q4_1"))
        }
        #expect(throws: GGUFError.self) { try f.tensor(named: "absent") }
    }

    @Test func tensorsOutliveTheReader() throws {
        var f: GGUFFile? = try GGUFFile(bytes: GGUFTestWriter.sample().build())
        let t = try f!.tensor(named: "norm.weight")
        f = nil
        #expect(try t.dequantized() == [1, -2, 0.5, 3])
    }

    @Test func dtypeMappingFollowsGGMLTypeIDs() {
        let expected: [(UInt32, DType)] = [(0, .f32), (1, .f16), (2, .q4_0), (6, .q5_0), (8, .q8_0),
                                           (12, .q4_k), (13, .q5_k), (14, .q6_k), (30, .bf16)]
        for (id, dtype) in expected {
            let t = GGMLType(id: id)
            #expect(t?.dtype == dtype)
            #expect(t?.blockSize == dtype.blockSize && t?.typeSize == dtype.blockBytes, "\(dtype)")
        }
        for unsupported: UInt32 in [3, 7, 10, 11, 16, 23] {
            #expect(GGMLType(id: unsupported) != nil && GGMLType(id: unsupported)?.dtype == nil)
        }
        for unknown: UInt32 in [4, 5, 31, 99, UInt32.max] { #expect(GGMLType(id: unknown) == nil) }
    }

    @Test func fileOnDiskIsMapped() throws {
        let bytes = GGUFTestWriter.sample().build()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("smelt-test-\(getpid()).gguf").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let f = try GGUFFile(path: path)
        #expect(f.tensors.count == 3 && f.path == path)
        do {
            _ = try GGUFFile(path: path + ".missing")
            Issue.record("missing file should throw")
        } catch let e as GGUFError {
            #expect(e.description.contains(".missing"))
        }
    }
}
