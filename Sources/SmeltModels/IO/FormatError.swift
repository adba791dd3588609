import Foundation

/// Names a checkpoint format in error messages.
public protocol CheckpointFormat: Sendable {
    static var prefix: String { get }
}

public enum GGUFFormat: CheckpointFormat { public static let prefix = "gguf" }
public enum SafetensorsFormat: CheckpointFormat { public static let prefix = "safetensors" }

/// Why a checkpoint file could not be read, or a metadata key or tensor
/// could not be returned. The text names the field, key or tensor and, for
/// parse errors, the byte offset, e.g.
/// `gguf: tensor 'blk.3.attn_q.weight': data [offset 1234, 5678 bytes) runs past end of file (4000 bytes)`.
/// One type per format (`GGUFError`, `SafetensorsError`) so callers can tell them apart.
public struct FormatError<Format: CheckpointFormat>: Error, CustomStringConvertible, LocalizedError, Sendable {
    /// What went wrong, without the format prefix or the file path.
    public let message: String
    /// The file the error is about, when known.
    public let path: String?

    public init(_ message: String, path: String? = nil) {
        self.message = message
        self.path = path
    }

    public var description: String {
        if let path { return "\(Format.prefix): \(path): \(message)" }
        return "\(Format.prefix): \(message)"
    }

    public var errorDescription: String? { description }

    /// The same error, attributed to `path`.
    func at(path: String) -> Self { Self(message, path: path) }
}

public typealias GGUFError = FormatError<GGUFFormat>
public typealias SafetensorsError = FormatError<SafetensorsFormat>
