import Foundation
import SmeltIR

/// A pass pipeline as data: `configs/pipelines/NAME.pipeline` lists pass
/// names, one per line, in the order they run; `#` starts a comment.
/// `default` and `none` are also built in, so an installed `smelt` needs no
/// config folder; the files in the tree are checked to equal them.
public struct Pipeline: Sendable, Equatable {
    public var name: String
    public var passes: [String]

    public init(name: String, passes: [String]) {
        self.name = name
        self.passes = passes
    }

    /// Parses pipeline text; an unknown pass is an error at its line.
    public static func parse(_ text: String, name: String, file: String) throws -> Pipeline {
        var passes: [String] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
                .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard !line.isEmpty else { continue }
            let at = SourceLocation(file: file, line: index + 1, column: 1)
            guard PassRegistry.make(line) != nil else {
                throw SmeltError("unknown pass '\(line)'", at: at,
                                 hint: didYouMean(line, in: PassRegistry.names) ?? "known passes: \(PassRegistry.names.joined(separator: ", "))")
            }
            guard !passes.contains(line) else { throw SmeltError("pass '\(line)' is listed twice", at: at) }
            passes.append(line)
        }
        return Pipeline(name: name, passes: passes)
    }

    /// A pipeline by name (`default`, `none`, or the stem of a file in
    /// `configs/pipelines/`) or by path to a `.pipeline` file. Files in
    /// `searchDirectory` take precedence over the built-in copies.
    public static func load(_ nameOrPath: String, searchDirectory: String = "configs/pipelines") throws -> Pipeline {
        let fm = FileManager.default
        if nameOrPath.hasSuffix(".pipeline") || nameOrPath.contains("/") {
            let name = URL(fileURLWithPath: nameOrPath).deletingPathExtension().lastPathComponent
            return try parse(try readTextFile(nameOrPath, what: "the pipeline"), name: name, file: nameOrPath)
        }
        let path = "\(searchDirectory)/\(nameOrPath).pipeline"
        if fm.fileExists(atPath: path) {
            return try parse(try readTextFile(path, what: "the pipeline"), name: nameOrPath, file: path)
        }
        if let text = builtinText[nameOrPath] {
            return try parse(text, name: nameOrPath, file: "<built-in \(nameOrPath).pipeline>")
        }
        let known = Set(builtinText.keys).union(
            ((try? fm.contentsOfDirectory(atPath: searchDirectory)) ?? [])
                .filter { $0.hasSuffix(".pipeline") }.map { String($0.dropLast(".pipeline".count)) })
        throw SmeltError("unknown pipeline '\(nameOrPath)'",
                         hint: didYouMean(nameOrPath, in: known) ?? "pipelines: \(known.sorted().joined(separator: ", "))")
    }

    /// The text of the built-in pipelines; equal to the files in
    /// `configs/pipelines/` (a test checks it).
    public static let builtinText: [String: String] = [
        "none": """
            # One kernel per op: no fusion, weights in the checkpoint's formats.
            # The baseline every other pipeline is compared with. The KV cache
            # is chosen as in every pipeline (f32 unless the context is long).
            dead-code
            select-kv-layout

            """,
        "default": """
            # What `smelt compile` runs unless told otherwise: weights in the
            # formats the device decodes fastest, then kernel fusion (gate/up
            # before QKV, so the FFN pair becomes one gated kernel; the whole
            # attention input before its halves, which take what it declines).
            dead-code
            select-quant
            select-kv-layout
            fuse-matvec-residual-norm
            fuse-residual-norm
            fuse-gated-ffn
            fuse-qkv-rope
            fuse-qkv
            fuse-qk-norm-rope

            """,
    ]
}
