import Foundation

/// Why a GGUF file could not be read, or a metadata key or tensor could not
/// be returned. The text names the field, key or tensor and, for parse
/// errors, the byte offset, e.g.
/// `gguf: tensor 'blk.3.attn_q.weight': data [offset 1234, 5678 bytes) runs past end of file (4000 bytes)`.
public struct GGUFError: Error, CustomStringConvertible, LocalizedError, Sendable {
    /// What went wrong, without the `gguf:` prefix or the file path.
    public let message: String
    /// The file the error is about, when the reader was opened from a path.
    public let path: String?

    public init(_ message: String, path: String? = nil) {
        self.message = message
        self.path = path
    }

    public var description: String {
        if let path { return "gguf: \(path): \(message)" }
        return "gguf: \(message)"
    }

    public var errorDescription: String? { description }

    /// The same error, attributed to `path`.
    func at(path: String) -> GGUFError { GGUFError(message, path: path) }
}
