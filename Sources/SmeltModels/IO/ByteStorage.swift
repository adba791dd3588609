#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Immutable bytes that readers parse and tensors point into: either a
/// read-only private mapping of a file or a heap copy of an in-memory buffer.
///
/// Weight tensors keep this object (not the reader) as their owner, so the
/// mapping lives exactly as long as some tensor or reader still needs it.
public final class ByteStorage: @unchecked Sendable {
    /// All bytes. Never written after `init` (the mapping is PROT_READ), which
    /// is why sharing across threads is safe.
    public let bytes: UnsafeRawBufferPointer
    /// Where the bytes came from, for error messages.
    public let origin: String
    private let isMapped: Bool

    /// Maps `path` read-only with MAP_PRIVATE. An empty file gives an empty
    /// buffer (mmap refuses length 0).
    public init(mappingFile path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw StorageError("cannot open '\(path)': \(Self.errnoText())")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw StorageError("cannot stat '\(path)': \(Self.errnoText())")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw StorageError("'\(path)' is not a regular file")
        }
        let size = Int(st.st_size)
        origin = path
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            isMapped = false
            return
        }
        let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let base, base != MAP_FAILED else {
            throw StorageError("cannot map '\(path)' (\(size) bytes): \(Self.errnoText())")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
        isMapped = true
    }

    /// Copies `buffer` onto the heap (for parsing from memory, e.g. in tests).
    public init(copying buffer: UnsafeRawBufferPointer, origin: String = "<memory>") {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(buffer.count, 1), alignment: 64)
        if buffer.count > 0, let src = buffer.baseAddress {
            copy.baseAddress!.copyMemory(from: src, byteCount: buffer.count)
        }
        bytes = UnsafeRawBufferPointer(start: copy.baseAddress, count: buffer.count)
        self.origin = origin
        isMapped = false
    }

    /// Copies an array of bytes.
    public static func copying(_ array: [UInt8], origin: String = "<memory>") -> ByteStorage {
        array.withUnsafeBytes { ByteStorage(copying: $0, origin: origin) }
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}

/// Why a file could not be opened or mapped.
public struct StorageError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
