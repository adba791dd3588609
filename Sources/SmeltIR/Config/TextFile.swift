import Foundation

/// Reads a UTF-8 text file (a graph, a config, a profile, a text to score).
/// `what` names it in errors: "PATH: cannot read the model config (no such file?)".
public func readTextFile(_ path: String, what: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw SmeltError("\(path): cannot read \(what) (no such file?)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw SmeltError("\(path): \(what) is not UTF-8 text")
    }
    return text
}
