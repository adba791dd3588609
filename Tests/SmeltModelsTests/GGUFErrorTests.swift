import SmeltModels
import Testing

/// Truncated, corrupt and hostile GGUF images are refused with an error
/// that says what and where — never a crash or a huge allocation.
@Suite struct GGUFErrorTests {
    typealias W = GGUFTestWriter

    /// The error text from parsing `bytes`, or nil if it parsed.
    static func failure(_ bytes: [UInt8]) -> String? {
        do {
            _ = try GGUFFile(bytes: bytes)
            return nil
        } catch let e as GGUFError {
            return e.description
        } catch {
            return "unexpected error type: \(error)"
        }
    }

    static func expectFailure(_ bytes: [UInt8], mentions parts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        guard let message = failure(bytes) else {
            Issue.record("expected a GGUFError", sourceLocation: sourceLocation)
            return
        }
        #expect(message.hasPrefix("gguf: "), sourceLocation: sourceLocation)
        for p in parts {
            #expect(message.contains(p), "'\(message)' should mention '\(p)'", sourceLocation: sourceLocation)
        }
    }

    /// Header up to (not including) the counts, then raw fields.
    static func header(version: UInt32 = 3, tensors: UInt64, kvs: UInt64) -> [UInt8] {
        var out = Array("GGUF".utf8)
        W.put(&out, version)
        W.put(&out, tensors)
        W.put(&out, kvs)
        return out
    }

    @Test(arguments: [UInt32(2), 3])
    func everyTruncationThrows(version: UInt32) {
        let full = W.sample(version: version, alignment: 64).build()
        #expect(Self.failure(full) == nil)
        for n in 0..<full.count {
            #expect(Self.failure(Array(full[0..<n])) != nil, "truncated to \(n) of \(full.count) bytes")
        }
    }

    @Test func badMagicAndVersions() {
        var bytes = W.sample().build()
        bytes[0] = 0x47; bytes[1] = 0x47; bytes[2] = 0x4D; bytes[3] = 0x4C   // "GGML"
        Self.expectFailure(bytes, mentions: ["magic", "offset 0"])
        Self.expectFailure([0x47, 0x47], mentions: ["2 bytes"])
        for (v, words) in [(UInt32(1), ["version 1"]), (4, ["version 4"]), (3 << 24, ["big-endian"])] {
            var w = W.sample()
            w.version = v
            Self.expectFailure(w.build(), mentions: words + ["offset 4"])
        }
    }

    @Test func tensorDataPastEndOfFile() {
        var w = W.sample()
        w.tensors.removeLast()
        w.tensors[1].data.removeLast(10)      // the info declares 2 blocks (68 bytes); 58 are there
        Self.expectFailure(w.build(), mentions: ["tensor 'blk.0.q.weight'", "68 bytes", "runs past end of file"])
    }

    @Test func hugeCountsAreRefusedBeforeAllocating() {
        Self.expectFailure(Self.header(tensors: UInt64.max, kvs: 0), mentions: ["tensor count", "offset 8"])
        Self.expectFailure(Self.header(tensors: 0, kvs: 1 << 62), mentions: ["metadata count", "offset 16"])
        // One key whose string array claims 2^40 elements.
        var b = Self.header(tensors: 0, kvs: 1)
        W.putString(&b, "big")
        W.put(&b, UInt32(9)); W.put(&b, UInt32(8)); W.put(&b, UInt64(1) << 40)
        Self.expectFailure(b, mentions: ["'big'", "element count"])
        // A key whose length is 2^63.
        var k = Self.header(tensors: 0, kvs: 1)
        W.put(&k, UInt64(1) << 63)
        Self.expectFailure(k + [UInt8](repeating: 0, count: 16), mentions: ["metadata key #0", "offset 24"])
        // A string value longer than the file.
        var s = Self.header(tensors: 0, kvs: 1)
        W.putString(&s, "name"); W.put(&s, UInt32(8)); W.put(&s, UInt64(1000))
        Self.expectFailure(s + [0x41, 0x42], mentions: ["'name'", "needs 1000 bytes"])
        // Dimensions whose product overflows.
        var w = W()
        w.tensors = [.init(name: "huge", dims: [1 << 40, 1 << 40], typeID: 0, data: [])]
        Self.expectFailure(w.build(), mentions: ["'huge'", "overflow"])
    }

    @Test func deeplyNestedArraysAreRefused() {
        var b = Self.header(tensors: 0, kvs: 1)
        W.putString(&b, "deep")
        W.put(&b, UInt32(9))
        for _ in 0..<20 { W.put(&b, UInt32(9)); W.put(&b, UInt64(1)) }
        W.put(&b, UInt32(0)); W.put(&b, UInt64(0))
        Self.expectFailure(b, mentions: ["'deep'", "nested"])
    }

    @Test func tensorInfoProblemsNameTheTensor() {
        func withTensor(_ t: W.Tensor, meta: [(String, GGUFValue)] = []) -> [UInt8] {
            var w = W()
            w.metadata = meta
            w.tensors = [t]
            return w.build()
        }
        Self.expectFailure(withTensor(.init(name: "blk.9.x", dims: [32], typeID: 99, data: [])),
                           mentions: ["'blk.9.x'", "unknown ggml type id 99"])
        Self.expectFailure(withTensor(.init(name: "row", dims: [100, 2], typeID: 12, data: [])),
                           mentions: ["'row'", "row length 100", "Q4_K", "256"])
        Self.expectFailure(withTensor(.init(name: "five", dims: [1, 1, 1, 1, 1], typeID: 0, data: [0, 0, 0, 0])),
                           mentions: ["'five'", "n_dims"])
        Self.expectFailure(withTensor(.init(name: "a", dims: [4], typeID: 0, data: [UInt8](repeating: 0, count: 16)),
                                      meta: [("general.alignment", .uint32(48))]),
                           mentions: ["general.alignment", "48"])
        Self.expectFailure(withTensor(.init(name: "a", dims: [4], typeID: 0, data: []),
                                      meta: [("general.alignment", .string("32"))]),
                           mentions: ["general.alignment", "string"])
        var dup = W()
        dup.tensors = [.init(name: "t", dims: [1], typeID: 0, data: [0, 0, 0, 0]),
                       .init(name: "t", dims: [1], typeID: 0, data: [0, 0, 0, 0])]
        Self.expectFailure(dup.build(), mentions: ["'t'", "duplicates"])
    }

    @Test func misalignedAndOutOfRangeOffsets() {
        // Hand-built tensor info with offset 8 (not a multiple of 32) and one at 2^63.
        for (offset, words) in [(UInt64(8), ["not a multiple"]), (UInt64(1) << 63, ["runs past end of file"])] {
            var b = Self.header(tensors: 1, kvs: 0)
            W.putString(&b, "w")
            W.put(&b, UInt32(1)); W.put(&b, UInt64(4)); W.put(&b, UInt32(0)); W.put(&b, offset)
            while b.count % 32 != 0 { b.append(0) }
            b += [UInt8](repeating: 0, count: 64)
            Self.expectFailure(b, mentions: ["tensor 'w'"] + words)
        }
    }

    @Test func corruptValues() {
        var dupKey = W()
        dupKey.metadata = [("k", .uint8(1)), ("k", .uint8(2))]
        Self.expectFailure(dupKey.build(), mentions: ["'k'", "twice"])

        var badType = Self.header(tensors: 0, kvs: 1)
        W.putString(&badType, "t"); W.put(&badType, UInt32(13))
        Self.expectFailure(badType, mentions: ["'t'", "unknown value type 13"])

        var badBool = Self.header(tensors: 0, kvs: 1)
        W.putString(&badBool, "b"); W.put(&badBool, UInt32(7)); badBool.append(2)
        Self.expectFailure(badBool, mentions: ["'b'", "bool"])

        var badUTF8 = Self.header(tensors: 0, kvs: 1)
        W.put(&badUTF8, UInt64(2)); badUTF8 += [0xC3, 0x28]
        Self.expectFailure(badUTF8 + [UInt8](repeating: 0, count: 16), mentions: ["UTF-8", "offset 24"])
    }
}
