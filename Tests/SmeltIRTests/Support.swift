import Foundation
import SmeltIR

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func repoPath(_ relative: String) -> String { packageRoot.appendingPathComponent(relative).path }

/// An environment with the given config keys.
func env(_ values: [String: AttrValue]) -> EvalEnvironment {
    EvalEnvironment(config: { values[$0] }, configKeys: Array(values.keys))
}

/// The error a closure throws, as text; nil when it does not throw.
func errorText(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return "\(error)"
    }
}

/// Parses and instantiates graph text.
func instantiate(_ text: String, _ environment: EvalEnvironment = .empty, file: String = "t.graph") throws -> Graph {
    try GraphParser.parse(text, file: file).instantiate(environment)
}
