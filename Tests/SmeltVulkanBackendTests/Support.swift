import Foundation
import Testing
import SmeltEngine
import SmeltIR
import SmeltVulkan

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func repoPath(_ relative: String) -> String { packageRoot.appendingPathComponent(relative).path }

/// Runs `body` on a device with the validation layers and synchronization
/// validation on, then fails on any message they reported (leaks included:
/// every device object is gone before the messages are read).
func withValidatedDevice(_ body: (VulkanDevice) throws -> Void) throws {
    let instance = try VulkanInstance(.init(validation: true, synchronizationValidation: true,
                                            applicationName: "smelt-backend-tests"))
    try openAndRun(instance, body)
    let messages = instance.validationMessages
    #expect(messages.isEmpty, "validation layers reported:\n\(messages.prefix(20).map(\.description).joined(separator: "\n"))")
}

private func openAndRun(_ instance: VulkanInstance, _ body: (VulkanDevice) throws -> Void) throws {
    try body(try VulkanDevice(instance: instance))
}

/// tiny-llama: seeded synthetic weights, no files.
func loadTinyLlama() throws -> LoadedModel {
    try ModelLoader.load(repoPath("configs/models/tiny-llama.yaml"))
}

/// The prompt the tiny-llama Vulkan tests share.
let tinyLlamaPrompt: [Int32] = [1, 17, 250, 3, 99, 42, 7]

/// The reference backend on `model` and its greedy continuation of
/// `tinyLlamaPrompt` (`count` tokens); the backend is left reset, greedy.
func tinyLlamaReference(_ model: LoadedModel, count: Int) throws -> (ReferenceBackend, [Int32]) {
    let reference = ReferenceBackend(model: try model.referenceModel())
    let expected = try Generator(backend: reference).generate(prompt: tinyLlamaPrompt, maxTokens: count).tokens
    try reference.reset(sampling: .greedy)
    return (reference, expected)
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "lengths \(a.count) and \(b.count) differ")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
