#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SmeltIR

/// The text of the current `errno`.
func errnoText() -> String { String(cString: strerror(errno)) }

// The classes below have methods named `write` and `close`; these reach the C ones.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
private func posixClose(_ fd: Int32) -> Int32 { close(fd) }

/// A file opened for writing, with errors that name it.
final class OutputFile {
    private var fd: Int32
    private let displayName: String

    init(path: String, displayName: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        self.displayName = displayName
        guard fd >= 0 else { throw SmeltError("\(displayName): cannot create \(path): \(errnoText())") }
    }

    /// Appends all of `bytes`, retrying short writes.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while let base = rest.baseAddress, !rest.isEmpty {
            let n = posixWrite(fd, base, rest.count)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw SmeltError("\(displayName): write failed: \(errnoText())") }
            rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(n))
        }
    }

    /// Writes all of `bytes` at `offset` without moving the file position.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count, let base = bytes.baseAddress {
            let n = pwrite(fd, base + done, bytes.count - done, off_t(offset + done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw SmeltError("\(displayName): write failed: \(errnoText())") }
            done += n
        }
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw SmeltError("\(displayName): fsync failed: \(errnoText())") }
    }

    func close() {
        if fd >= 0 { _ = posixClose(fd) }
        fd = -1
    }

    deinit { close() }
}

/// A whole file mapped read-only, or (for bytes given in memory) an owned
/// copy; either way `bytes` stays valid for the object's lifetime.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let isMapped: Bool

    init(path: String, displayName: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SmeltError("\(displayName): cannot open: \(errnoText())") }
        defer { _ = posixClose(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SmeltError("\(displayName): cannot stat: \(errnoText())") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw SmeltError("\(displayName): not a regular file") }
        let size = Int(info.st_size)
        isMapped = size > 0
        guard size > 0 else {
            // mmap refuses length 0; an empty buffer lets the parser say "empty file".
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw SmeltError("\(displayName): cannot map \(size) bytes: \(errnoText())")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    init(copying data: [UInt8]) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 4096)
        data.withUnsafeBytes { copy.copyMemory(from: $0) }
        bytes = UnsafeRawBufferPointer(start: copy.baseAddress, count: data.count)
        isMapped = false
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        } else {
            base.deallocate()
        }
    }
}
