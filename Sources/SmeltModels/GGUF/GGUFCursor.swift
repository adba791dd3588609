/// A bounds-checked little-endian reader over a byte buffer.
///
/// Every read first checks that the bytes exist; a short read throws an
/// error naming what was being read (`what` is an autoclosure so the fuzz
/// test's hundred thousand parses do not pay for building names that are
/// never shown) and the offset where it started.
struct GGUFCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    /// Throws unless `count` more bytes are available.
    func require(_ count: Int, _ what: @autoclosure () -> String) throws {
        guard count >= 0, count <= remaining else {
            throw GGUFError(
                "\(what()) at offset \(offset): needs \(count) bytes, only \(remaining) remain "
                    + "(file is \(bytes.count) bytes)")
        }
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws -> T {
        let size = MemoryLayout<T>.size
        try require(size, what())
        let v = T(truncatingIfNeeded: Self.le64(bytes, offset, size))
        offset += size
        return v
    }

    mutating func u8(_ what: @autoclosure () -> String) throws -> UInt8 {
        try require(1, what())
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u32(_ what: @autoclosure () -> String) throws -> UInt32 {
        try require(4, what())
        defer { offset += 4 }
        return UInt32(truncatingIfNeeded: Self.le64(bytes, offset, 4))
    }

    mutating func u64(_ what: @autoclosure () -> String) throws -> UInt64 {
        try require(8, what())
        defer { offset += 8 }
        return Self.le64(bytes, offset, 8)
    }

    /// The `size`-byte little-endian integer at `at`, zero-extended. Written
    /// without generics because debug builds pay heavily for unspecialized
    /// generic loads, and the fuzz test parses a hundred thousand files.
    @inline(__always)
    static func le64(_ b: UnsafeRawBufferPointer, _ at: Int, _ size: Int) -> UInt64 {
        var v: UInt64 = 0
        var i = size - 1
        while i >= 0 {
            v = (v << 8) | UInt64(b[at + i])
            i -= 1
        }
        return v
    }

    /// Reads a GGUF string: a u64 byte length, then that many UTF-8 bytes.
    /// Lengths past `maxLength` or past the end of the buffer are refused
    /// before anything is allocated.
    mutating func string(_ what: @autoclosure () -> String, maxLength: Int) throws -> String {
        let at = offset
        let raw = try u64("\(what()) length")
        guard raw <= UInt64(maxLength) else {
            throw GGUFError("\(what()) at offset \(at): length \(raw) exceeds the \(maxLength)-byte limit")
        }
        let length = Int(raw)
        try require(length, what())
        let utf8 = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
        guard let s = Self.decodeUTF8(utf8) else {
            throw GGUFError("\(what()) at offset \(at): its \(length) bytes are not valid UTF-8")
        }
        offset += length
        return s
    }

    /// Strict UTF-8 decoding: invalid bytes are an error, never silently
    /// replaced (a vocabulary with U+FFFD substituted would tokenize wrong).
    static func decodeUTF8(_ utf8: UnsafeRawBufferPointer) -> String? {
        if #available(macOS 15, *) {
            return String(validating: utf8, as: UTF8.self)
        }
        var it = utf8.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&it) {
            case .scalarValue: continue
            case .emptyInput: return String(decoding: utf8, as: UTF8.self)
            case .error: return nil
            }
        }
    }

    /// Reads `n` fixed-size little-endian integers into an array. The caller
    /// has already checked that `n` elements fit in the remaining bytes.
    mutating func integers<T: FixedWidthInteger>(_: T.Type, count n: Int, _ what: @autoclosure () -> String) throws -> [T] {
        let size = MemoryLayout<T>.size
        try require(n * size, what())
        let base = offset
        let out = [T](unsafeUninitializedCapacity: n) { buf, initialized in
            // A straight copy: the file is little-endian, and so is every
            // host Swift targets today; swap in place if that ever changes.
            if n > 0, let dst = buf.baseAddress, let src = bytes.baseAddress {
                UnsafeMutableRawPointer(dst).copyMemory(from: src + base, byteCount: n * size)
            }
            if 1.littleEndian != 1 {
                for i in 0..<n { buf[i] = T(littleEndian: buf[i]) }
            }
            initialized = n
        }
        offset += n * size
        return out
    }

    /// The next multiple of `alignment` at or after the current offset; nil
    /// on overflow.
    func alignedOffset(_ alignment: Int) -> Int? {
        let (padded, overflow) = offset.addingReportingOverflow(alignment - 1)
        guard !overflow else { return nil }
        return padded / alignment * alignment
    }
}
