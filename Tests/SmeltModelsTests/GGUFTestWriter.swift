import SmeltModels

/// Builds GGUF images byte by byte from the format description, for tests.
/// It is an independent encoder: the parser under test never sees how the
/// image was made.
struct GGUFTestWriter {
    struct Tensor {
        var name: String
        var dims: [UInt64]       // innermost first, as stored
        var typeID: UInt32
        var data: [UInt8]
    }

    var version: UInt32 = 3
    var metadata: [(String, GGUFValue)] = []
    var tensors: [Tensor] = []
    /// Alignment used to place data; written as `general.alignment` only if
    /// the test adds that key itself.
    var alignment = 32

    func build() -> [UInt8] {
        var out: [UInt8] = Array("GGUF".utf8)
        Self.put(&out, version)
        Self.put(&out, UInt64(tensors.count))
        Self.put(&out, UInt64(metadata.count))
        for (key, value) in metadata {
            Self.putString(&out, key)
            Self.put(&out, Self.tag(value))
            Self.putValue(&out, value)
        }
        var offset = 0
        var offsets: [Int] = []
        for t in tensors {
            offset = (offset + alignment - 1) / alignment * alignment
            offsets.append(offset)
            offset += t.data.count
        }
        for (t, off) in zip(tensors, offsets) {
            Self.putString(&out, t.name)
            Self.put(&out, UInt32(t.dims.count))
            for d in t.dims { Self.put(&out, d) }
            Self.put(&out, t.typeID)
            Self.put(&out, UInt64(off))
        }
        while out.count % alignment != 0 { out.append(0) }
        let dataStart = out.count
        for (t, off) in zip(tensors, offsets) {
            while out.count < dataStart + off { out.append(0) }
            out += t.data
        }
        return out
    }

    static func put<T: FixedWidthInteger>(_ out: inout [UInt8], _ v: T) {
        withUnsafeBytes(of: v.littleEndian) { out += $0 }
    }

    static func putString(_ out: inout [UInt8], _ s: String) {
        put(&out, UInt64(s.utf8.count))
        out += Array(s.utf8)
    }

    static func tag(_ v: GGUFValue) -> UInt32 {
        switch v {
        case .uint8: 0
        case .int8: 1
        case .uint16: 2
        case .int16: 3
        case .uint32: 4
        case .int32: 5
        case .float32: 6
        case .bool: 7
        case .string: 8
        case .array: 9
        case .uint64: 10
        case .int64: 11
        case .float64: 12
        }
    }

    static func putValue(_ out: inout [UInt8], _ v: GGUFValue) {
        switch v {
        case .uint8(let x): put(&out, x)
        case .int8(let x): put(&out, x)
        case .uint16(let x): put(&out, x)
        case .int16(let x): put(&out, x)
        case .uint32(let x): put(&out, x)
        case .int32(let x): put(&out, x)
        case .uint64(let x): put(&out, x)
        case .int64(let x): put(&out, x)
        case .float32(let x): put(&out, x.bitPattern)
        case .float64(let x): put(&out, x.bitPattern)
        case .bool(let x): out.append(x ? 1 : 0)
        case .string(let s): putString(&out, s)
        case .array(let a): putArray(&out, a)
        }
    }

    static func putArray(_ out: inout [UInt8], _ a: GGUFArray) {
        func each<T>(_ tag: UInt32, _ xs: [T], _ f: (inout [UInt8], T) -> Void) {
            put(&out, tag)
            put(&out, UInt64(xs.count))
            for x in xs { f(&out, x) }
        }
        switch a {
        case .uint8(let xs): each(0, xs) { put(&$0, $1) }
        case .int8(let xs): each(1, xs) { put(&$0, $1) }
        case .uint16(let xs): each(2, xs) { put(&$0, $1) }
        case .int16(let xs): each(3, xs) { put(&$0, $1) }
        case .uint32(let xs): each(4, xs) { put(&$0, $1) }
        case .int32(let xs): each(5, xs) { put(&$0, $1) }
        case .float32(let xs): each(6, xs) { put(&$0, $1.bitPattern) }
        case .bool(let xs): each(7, xs) { $0.append($1 ? 1 : 0) }
        case .string(let xs): each(8, xs) { putString(&$0, $1) }
        case .array(let xs): each(9, xs) { putArray(&$0, $1) }
        case .uint64(let xs): each(10, xs) { put(&$0, $1) }
        case .int64(let xs): each(11, xs) { put(&$0, $1) }
        case .float64(let xs): each(12, xs) { put(&$0, $1.bitPattern) }
        }
    }

    /// A small file with every metadata type, nested arrays and tensors of
    /// several storage types (one Smelt cannot decode).
    static func sample(version: UInt32 = 3, alignment: Int? = nil) -> GGUFTestWriter {
        var w = GGUFTestWriter()
        w.version = version
        w.metadata = [
            ("general.architecture", .string("testarch")),
            ("test.u8", .uint8(200)), ("test.i8", .int8(-100)),
            ("test.u16", .uint16(60_000)), ("test.i16", .int16(-30_000)),
            ("test.u32", .uint32(4_000_000_000)), ("test.i32", .int32(-2_000_000_000)),
            ("test.u64", .uint64(18_000_000_000_000_000_000)), ("test.i64", .int64(-9_000_000_000_000_000_000)),
            ("test.f32", .float32(1.5)), ("test.f64", .float64(-2.25)),
            ("test.bool", .bool(true)), ("test.empty", .string("")),
            ("test.unicode", .string("héllo ▁world")),
            ("test.tokens", .array(.string(["<pad>", "<eos>", "a", "▁b"]))),
            ("test.scores", .array(.float32([0, -1.5, 2.25, 3]))),
            ("test.types", .array(.int32([1, 3, 1, -1]))),
            ("test.flags", .array(.bool([true, false, true]))),
            ("test.u64s", .array(.uint64([1, 2, UInt64.max]))),
            ("test.nested", .array(.array([.uint8([1, 2]), .string(["x"]), .array([.int16([-7])])]))),
        ]
        if let alignment {
            w.alignment = alignment
            w.metadata.append(("general.alignment", .uint32(UInt32(alignment))))
        }
        w.tensors = [
            Tensor(name: "norm.weight", dims: [4], typeID: 0,
                   data: [1.0, -2.0, 0.5, 3.0].flatMap { f in withUnsafeBytes(of: Float(f).bitPattern.littleEndian, Array.init) }),
            // 2 rows of one Q8_0 block: d = 1.0 (0x3C00), quants 0..31 and -31..0.
            Tensor(name: "blk.0.q.weight", dims: [32, 2], typeID: 8,
                   data: [0x00, 0x3C] + (0..<32).map { UInt8($0) } + [0x00, 0x3C] + (0..<32).map { UInt8(bitPattern: Int8(-$0)) }),
            // Q4_1 (type 3) is listed but not decodable by Smelt: 1 block of 20 bytes.
            Tensor(name: "odd.weight", dims: [32], typeID: 3, data: [UInt8](repeating: 7, count: 20)),
        ]
        return w
    }
}
