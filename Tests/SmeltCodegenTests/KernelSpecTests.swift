import Testing
@testable import SmeltCodegen

@Suite struct KernelSpecTests {
    func spec(bindings: [KernelSpec.Binding] = [], constants: [KernelSpec.SpecializationConstant] = [],
              push: [KernelSpec.PushConstant] = []) -> KernelSpec {
        KernelSpec(name: "k", template: "t", workgroupSize: .init(8),
                   bindings: bindings, specializationConstants: constants, pushConstants: push)
    }

    @Test func rejectsTwoBindingsInOneSlot() {
        let s = spec(bindings: [
            .init(name: "a", binding: 0, access: .readOnly, elementType: "float"),
            .init(name: "b", binding: 0, access: .readOnly, elementType: "float"),
        ])
        #expect(throws: CodegenError.invalidSpec(kernel: "k", "binding 'b' reuses set 0 binding 0")) {
            try s.validate()
        }
    }

    @Test func rejectsDuplicateConstantIdsAndNames() {
        let ids = spec(constants: [.init(id: 1, name: "A", value: .uint(1)), .init(id: 1, name: "B", value: .uint(2))])
        #expect(throws: CodegenError.invalidSpec(kernel: "k", "specialization constant 'B' reuses constant_id 1")) {
            try ids.validate()
        }
        let names = spec(bindings: [.init(name: "n", binding: 0, access: .readOnly, elementType: "float")],
                         push: [.init(name: "n", type: .uint)])
        #expect(throws: CodegenError.invalidSpec(kernel: "k", "the name 'n' is used twice")) {
            try names.validate()
        }
    }

    @Test func rejectsNonIdentifiers() {
        let s = spec(push: [.init(name: "gl_x", type: .uint)])
        #expect(throws: CodegenError.invalidSpec(kernel: "k", "push constant 'gl_x' is not a GLSL identifier")) {
            try s.validate()
        }
        var bad = spec()
        bad.workgroupSize = .init(0)
        #expect(throws: CodegenError.self) { try bad.validate() }
    }

    @Test func pushConstantsEncodeLittleEndianInOrder() throws {
        let s = spec(push: [.init(name: "n", type: .uint), .init(name: "scale", type: .float),
                            .init(name: "delta", type: .int)])
        #expect(s.pushConstantBytes == 12)
        let bytes = try s.encodePushConstants(["scale": .float(1.5), "n": .uint(0x0102_0304), "delta": .int(-2)])
        // 1.5 = sign 0, exponent 127, mantissa 0x400000 → 0x3FC00000 (IEEE 754).
        #expect(bytes == [0x04, 0x03, 0x02, 0x01, 0x00, 0x00, 0xC0, 0x3F, 0xFE, 0xFF, 0xFF, 0xFF])
        #expect(throws: CodegenError.invalidSpec(kernel: "k", "push constant 'n' is uint, got a float value")) {
            try s.encodePushConstants(["n": .float(1), "scale": .float(1), "delta": .int(0)])
        }
        #expect(throws: CodegenError.invalidSpec(kernel: "k", "no push constant named 'extra'")) {
            try s.encodePushConstants(["n": .uint(1), "scale": .float(1), "delta": .int(0), "extra": .uint(0)])
        }
    }

    @Test func unknownTemplateListsKnownOnes() {
        var s = KernelSpec.vectorBinaryF32(.add)
        s.template = "nope"
        #expect(throws: CodegenError.unknownTemplate(kernel: "vector_add_f32", template: "nope",
                                                     known: ["matvec_f32", "vector_binary_f32"])) {
            try KernelGenerator.glsl(for: s, library: KernelTemplateLibrary([.vectorBinaryF32, .matvecF32]))
        }
    }

    @Test func parameterMayNotShadowBuiltIn() {
        var s = KernelSpec.vectorBinaryF32(.add)
        s.parameters["BINDINGS"] = ""
        #expect(throws: CodegenError.invalidSpec(
            kernel: "vector_add_f32", "parameter 'BINDINGS' collides with a built-in placeholder")) {
            try KernelGenerator.glsl(for: s)
        }
    }

    @Test func templateMentioningAnAbsentBuiltInFails() {
        // vector_binary_f32 uses {{PUSH_CONSTANTS}}; without push constants the
        // placeholder has no value, so the drift is caught.
        var s = KernelSpec.vectorBinaryF32(.add)
        s.pushConstants = []
        #expect(throws: CodegenError.unknownPlaceholder(
            template: "vector_binary_f32.comp.in", line: 8, column: 1, name: "PUSH_CONSTANTS")) {
            try KernelGenerator.glsl(for: s)
        }
    }
}
