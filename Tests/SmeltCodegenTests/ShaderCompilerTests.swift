import Testing
import SmeltCodegen

@Suite struct ShaderCompilerTests {
    static let trivial = """
        #version 450
        layout(local_size_x = 1) in;
        layout(set = 0, binding = 0) buffer B { uint v[]; };
        void main() { v[0] = VALUE; }
        """

    @Test func compilesToSPIRVForVulkan12() throws {
        let words = try ShaderCompiler().compile(Self.trivial, name: "trivial.comp", macros: ["VALUE": "7u"])
        // SPIR-V header: magic, then version 0x00MMmm00; Vulkan 1.2 targets SPIR-V 1.5.
        #expect(words.first == 0x0723_0203)
        #expect(words.count > 5 && words[1] == 0x0001_0500)
    }

    @Test func everyOptimizationLevelCompiles() throws {
        let compiler = try ShaderCompiler()
        for level in ShaderCompiler.Optimization.allCases {
            let words = try compiler.compile(Self.trivial, name: "t.comp", macros: ["VALUE": "1u"], optimization: level)
            #expect(words.first == 0x0723_0203)
        }
    }

    @Test func compileErrorNamesFileAndLine() throws {
        let source = """
            #version 450
            layout(local_size_x = 1) in;

            void main() {
                float x = undefined_thing;
            }
            """
        let error = #expect(throws: ShaderCompileError.self) {
            try ShaderCompiler().compile(source, name: "broken.comp")
        }
        #expect(error?.kind == .compilationError)
        #expect(error?.description.contains("broken.comp:5:") == true, "got: \(error?.description ?? "")")
        #expect(error?.description.contains("undefined_thing") == true)
    }

    @Test func missingMacroIsACompileError() throws {
        // Without VALUE the shader body does not parse: macros really reach the preprocessor.
        #expect(throws: ShaderCompileError.self) {
            try ShaderCompiler().compile(Self.trivial, name: "trivial.comp")
        }
    }
}
