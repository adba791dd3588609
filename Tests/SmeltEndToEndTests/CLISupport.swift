import Foundation

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func repoPath(_ relative: String) -> String { packageRoot.appendingPathComponent(relative).path }

/// What a finished `smelt` process printed.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the `smelt` executable built beside the test bundle.
func smelt(_ arguments: [String], in directory: String = packageRoot.path) throws -> CLIResult {
    let buildDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var executable = buildDir.appendingPathComponent("smelt")
    // `swift test` may run the bundle from inside an .xctest folder.
    if !FileManager.default.fileExists(atPath: executable.path) {
        executable = buildDir.deletingLastPathComponent().appendingPathComponent("smelt")
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read before waiting so a full pipe cannot block the child.
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                     stderr: String(decoding: stderr, as: UTF8.self))
}

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ text: String, name: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smelt-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}
