import ArgumentParser
import Foundation
import SmeltArtifact
import SmeltEngine
import SmeltIR

struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a model into one deployable .smelt artifact.",
        discussion: """
        Loads the model's graph and weights, runs the pass pipeline (fusion, weight \
        formats), lowers the graph to Vulkan kernels for the device profile (GLSL \
        compiled to SPIR-V by shaderc), packs the weights, and writes one file with the \
        plan, the SPIR-V, the packed weights and the tokenizer. `smelt run X.smelt` then \
        needs neither the checkpoint nor shaderc; `smelt plan X.smelt` shows its decisions.
        """)

    @Argument(help: "A model config (configs/models/*.yaml) or a .gguf file.") var model: String
    @Option(name: .shortAndLong, help: "The artifact to write.") var output: String
    @OptionGroup var compiler: PipelineArguments

    func run() throws {
        let options = try compiler.options()
        let directory = URL(fileURLWithPath: output).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SmeltError("\(output): cannot create folder \(directory): \(error.localizedDescription)")
        }
        var report: PlanReport?
        try ArtifactCompiler.compile(modelPath: model, options: options, output: output, afterPass: compiler.printer(),
                                     report: { report = $0 }) { line in
            FileHandle.standardError.write(Data("compile: \(line)\n".utf8))
        }
        if let report { compiler.printStats(report) }
    }
}
