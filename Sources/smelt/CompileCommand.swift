import ArgumentParser
import Foundation
import SmeltEngine
import SmeltIR

struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a model into one deployable .smelt artifact.",
        discussion: """
        Loads the model's graph and weights, lowers the graph to Vulkan kernels for the \
        device profile (GLSL compiled to SPIR-V by shaderc), packs the weights, and writes \
        one file with the plan, the SPIR-V, the packed weights and the tokenizer. \
        `smelt run X.smelt` then needs neither the checkpoint nor shaderc.
        """)

    @Argument(help: "A model config (configs/models/*.yaml) or a .gguf file.") var model: String
    @Option(name: .shortAndLong, help: "The artifact to write.") var output: String
    @Option(name: .customLong("device-profile"), help: "A device profile (configs/devices/*.yaml); default: lavapipe.")
    var deviceProfile: String?

    func run() throws {
        let profile = try deviceProfile.map(DeviceProfile.load(path:)) ?? .lavapipe
        let directory = URL(fileURLWithPath: output).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SmeltError("\(output): cannot create folder \(directory): \(error.localizedDescription)")
        }
        try ArtifactCompiler.compile(modelPath: model, profile: profile, output: output) { line in
            FileHandle.standardError.write(Data("compile: \(line)\n".utf8))
        }
    }
}
