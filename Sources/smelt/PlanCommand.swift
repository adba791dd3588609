import ArgumentParser
import Foundation
import SmeltArtifact
import SmeltEngine
import SmeltIR

struct PlanCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, dot }

    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what the compiler fuses, which formats it picks, and why.",
        discussion: """
        For a model config, runs the pipeline and the lowering (no shader compilation) \
        and reports per layer each kernel with its member ops, its dispatches and bytes \
        per token, the weight formats and KV-cache layout chosen, device memory by \
        category, and every fusion candidate not taken with the reason. For a .smelt \
        artifact, shows the plan it was compiled with. The JSON form is described in \
        docs/PlanFormat.md.
        """)

    @Argument(help: "A model config (configs/models/*.yaml), a .gguf file, or a .smelt artifact.") var model: String
    @Option(help: "Output format: \(Format.allCases.map(\.rawValue).joined(separator: ", ")).") var format: Format = .text
    @OptionGroup var compiler: PipelineArguments

    func run() throws {
        let report: PlanReport
        if model.hasSuffix(".smelt") {
            let artifact = try Artifact(path: model)
            guard let stored = artifact.manifest.plan else {
                throw SmeltError("\(model) was written before artifacts stored their plan; recompile it with `smelt compile`")
            }
            report = stored
        } else {
            let options = try compiler.options()
            report = try ArtifactCompiler.build(modelPath: model, options: options, compileShaders: false,
                                                afterPass: compiler.printer()) { line in
                FileHandle.standardError.write(Data("plan: \(line)\n".utf8))
            }.report
        }
        compiler.printStats(report)
        switch format {
        case .text: print(report.text, terminator: "")
        case .dot: print(report.dot, terminator: "")
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }
}
