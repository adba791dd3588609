import Foundation

/// Where tests find the real Gemma-3 270M GGUF: `$SMELT_GGUF` when set (and
/// only there, so a typo fails), else `models/gemma-3-270m-q4_k_m.gguf` in
/// the repository, where `make model` puts it. A missing model fails the
/// tests that need it, unless `SMELT_SKIP_MODEL_TESTS=1` says to skip them.
enum ModelPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var skipModelTests: Bool { ProcessInfo.processInfo.environment["SMELT_SKIP_MODEL_TESTS"] == "1" }

    static func gguf() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let path = environment["SMELT_GGUF"].flatMap { $0.isEmpty ? nil : $0 }
            ?? packageRoot.appendingPathComponent("models/gemma-3-270m-q4_k_m.gguf").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw MissingModel(description: "the Gemma-3 270M GGUF is missing at \(path); run `make model` to fetch it, "
                               + "or set SMELT_SKIP_MODEL_TESTS=1 to skip tests that need it")
        }
        return path
    }

    struct MissingModel: Error, CustomStringConvertible {
        let description: String
    }
}
