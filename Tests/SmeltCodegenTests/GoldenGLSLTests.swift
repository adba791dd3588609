import Foundation
import Testing
import SmeltCodegen

/// Snapshot tests of generated GLSL. Run with SMELT_UPDATE_GOLDEN=1 to
/// rewrite the files under Golden/, then review the diff before committing.
@Suite struct GoldenGLSLTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("Golden")

    static let cases: [KernelSpec] = [
        .vectorBinaryF32(.add),
        .matvecF32(rows: 4, cols: 3, workgroupSize: 32),
        .sample,
    ]

    @Test(arguments: cases)
    func generatedGLSLMatchesGolden(_ spec: KernelSpec) throws {
        try Self.check(try KernelGenerator.glsl(for: spec, library: .runtime), of: spec)
    }

    /// Compares with (or, with SMELT_UPDATE_GOLDEN=1, writes) Golden/NAME.comp.
    static func check(_ glsl: String, of spec: KernelSpec) throws {
        let file = goldenDirectory.appendingPathComponent("\(spec.name).comp")
        if ProcessInfo.processInfo.environment["SMELT_UPDATE_GOLDEN"] == "1" {
            try glsl.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOf: file, encoding: .utf8)
        #expect(glsl == golden, "\(file.path) differs; rerun with SMELT_UPDATE_GOLDEN=1 and review the diff")
    }

    /// The fused kernels the lowering emits (runtime library), and the
    /// queries-in-lanes flash attention (f16 and q8_0 caches, decode split),
    /// and the q8_0 cache writer.
    static let fusedCases: [KernelSpec] = [
        .residualNorm, .qkNormRoPE, .qkNormRoPE(.f16), .qkNormRoPE(.q8_0), .kvWrite(.q8_0),
        (try? WeightKernels.gatedMatvecSpec(dtype: .q8_0, rows: 64, cols: 64, activation: "gelu_tanh"))!,
        (try? WeightKernels.matvecResidualNormSpec(dtype: .q8_0, rows: 64, cols: 64))!,
        (try? WeightKernels.qkvRoPESpec(dtype: .q8_0, rows: 384, cols: 64, headDim: 128, element: .f32))!,
        (try? WeightKernels.qkvRoPESpec(dtype: .q8_0, rows: 384, cols: 64, headDim: 128, element: .q8_0))!,
        .attentionRows(.f16, split: true, headDim: 256, group: 4),
        .attentionRows(.q8_0, split: true, headDim: 256, group: 4),
    ]

    @Test(arguments: fusedCases)
    func fusedKernelGLSLMatchesGolden(_ spec: KernelSpec) throws {
        let glsl = try KernelGenerator.glsl(for: spec, library: .runtime)
        try Self.check(glsl, of: spec)
        let words = try ShaderCompiler().compile(glsl, name: spec.name)
        #expect(words.first == 0x0723_0203, "SPIR-V magic number")
    }

    @Test(arguments: cases)
    func generatedGLSLCompiles(_ spec: KernelSpec) throws {
        let words = try ShaderCompiler().compile(try KernelGenerator.glsl(for: spec, library: .runtime), name: spec.name)
        #expect(words.first == 0x0723_0203, "SPIR-V magic number")
    }
}

extension KernelSpec: CustomTestStringConvertible {
    public var testDescription: String { name }
}
