import Testing
import SmeltCodegen
import SmeltVulkan

/// Runs `body` on a device opened with the validation layers and
/// synchronization validation, then fails the test on any message they
/// reported, including those from destroying the device (leaks).
func withValidatedDevice(_ body: (VulkanDevice) throws -> Void) throws {
    let instance = try VulkanInstance(.init(validation: true, synchronizationValidation: true,
                                            applicationName: "smelt-tests"))
    try openAndRun(instance, body)
    let messages = instance.validationMessages
    #expect(messages.isEmpty, "validation layers reported:\n\(messages.map(\.description).joined(separator: "\n"))")
}

/// Separate so every object made in `body` is gone before the messages are
/// read.
private func openAndRun(_ instance: VulkanInstance, _ body: (VulkanDevice) throws -> Void) throws {
    let device: VulkanDevice
    do {
        device = try VulkanDevice(instance: instance)
    } catch {
        Issue.record("no usable Vulkan device; CI installs Mesa's lavapipe (scripts/install-deps.sh): \(error)")
        throw error
    }
    try body(device)
}

/// Compiles `spec` and states its interface the way the runtime will.
func pipelineDescription(for spec: KernelSpec) throws -> ComputePipelineDescription {
    let spirv = try ShaderCompiler().compile(try KernelGenerator.glsl(for: spec), name: spec.name)
    return ComputePipelineDescription(
        name: spec.name,
        spirv: spirv,
        bindings: spec.bindings.map {
            .init(set: $0.set, binding: $0.binding, kind: $0.kind == .storage ? .storageBuffer : .uniformBuffer)
        },
        pushConstantBytes: spec.pushConstantBytes,
        specialization: spec.specializationValues)
}

/// A pipeline from inline GLSL with storage buffers at set 0, bindings 0..<n.
func pipeline(_ device: VulkanDevice, name: String, glsl: String, storageBindings: Int,
              pushConstantBytes: Int = 0, cache: PipelineCache? = nil) throws -> ComputePipeline {
    let spirv = try ShaderCompiler().compile(glsl, name: name)
    return try ComputePipeline(device: device, description: .init(
        name: name, spirv: spirv, bindings: (0..<storageBindings).map { .init(binding: $0) },
        pushConstantBytes: pushConstantBytes), cache: cache)
}

/// One invocation adding 1 to the uint at binding 0: state that lives only
/// in a device buffer.
let counterKernelGLSL = """
    #version 450
    layout(local_size_x = 1) in;
    layout(set = 0, binding = 0, std430) buffer Counter { uint count; };
    void main() { count += 1u; }
    """

/// Deterministic values in [-1, 1) (a 64-bit LCG), so failures reproduce.
func testValues(count: Int, seed: UInt64) -> [Float] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
    }
}
