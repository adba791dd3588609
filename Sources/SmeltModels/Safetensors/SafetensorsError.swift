import Foundation

/// Why a safetensors file, checkpoint directory or `config.json` could not
/// be read, or a tensor could not be returned. The text names the file, the
/// tensor or field, and the offending value, e.g.
/// `safetensors: model.safetensors: tensor 'lm_head.weight': data_offsets [0, 12) hold 12 bytes, but shape [2, 3] of F32 needs 24`.
public struct SafetensorsError: Error, CustomStringConvertible, LocalizedError, Sendable {
    /// What went wrong, without the prefix or the path.
    public let message: String
    /// The file the error is about, when known.
    public let path: String?

    public init(_ message: String, path: String? = nil) {
        self.message = message
        self.path = path
    }

    public var description: String {
        if let path { return "safetensors: \(path): \(message)" }
        return "safetensors: \(message)"
    }

    public var errorDescription: String? { description }
}
