import CShaderc

/// Compiles GLSL compute shaders to SPIR-V with libshaderc.
///
/// The target is Vulkan 1.2 (SPIR-V 1.5), the oldest Vulkan the runtime
/// supports, so one SPIR-V blob runs on every supported device. One compiler
/// may be shared: libshaderc allows concurrent compiles on the same compiler.
public final class ShaderCompiler: @unchecked Sendable {
    /// How hard SPIRV-Tools optimizes the module after glslang.
    public enum Optimization: String, Sendable, Codable, CaseIterable {
        /// No optimization; keeps names and debug info, best for reading.
        case none
        /// Optimize for size.
        case size
        /// Optimize for speed.
        case performance
    }

    private let compiler: shaderc_compiler_t

    /// Creates a compiler; throws if libshaderc cannot allocate one.
    public init() throws {
        guard let compiler = shaderc_compiler_initialize() else {
            throw ShaderCompileError(name: "", kind: .internalError,
                                     message: "shaderc_compiler_initialize failed (out of memory?)")
        }
        self.compiler = compiler
    }

    deinit {
        shaderc_compiler_release(compiler)
    }

    /// Compiles one GLSL compute shader to SPIR-V words.
    ///
    /// - Parameters:
    ///   - source: GLSL text with a `#version` line.
    ///   - name: the file name used in error messages (`name:LINE: error: ...`).
    ///   - entryPoint: the entry point name recorded in the module.
    ///   - macros: `#define`s added before the source; an empty value defines
    ///     the macro without a value.
    ///   - optimization: SPIRV-Tools optimization level.
    /// - Throws: `ShaderCompileError` carrying shaderc's diagnostics verbatim.
    public func compile(
        _ source: String,
        name: String,
        entryPoint: String = "main",
        macros: [String: String] = [:],
        optimization: Optimization = .performance
    ) throws -> [UInt32] {
        guard let options = shaderc_compile_options_initialize() else {
            throw ShaderCompileError(name: name, kind: .internalError,
                                     message: "shaderc_compile_options_initialize failed")
        }
        defer { shaderc_compile_options_release(options) }

        shaderc_compile_options_set_source_language(options, shaderc_source_language_glsl)
        shaderc_compile_options_set_target_env(
            options, shaderc_target_env_vulkan, UInt32(shaderc_env_version_vulkan_1_2.rawValue))
        shaderc_compile_options_set_optimization_level(options, optimization.shadercLevel)
        // Sorted so the same inputs always give the same SPIR-V bytes.
        for (macro, value) in macros.sorted(by: { $0.key < $1.key }) {
            shaderc_compile_options_add_macro_definition(
                options, macro, macro.utf8.count, value, value.utf8.count)
        }

        let result = source.withCString { text in
            shaderc_compile_into_spv(compiler, text, source.utf8.count, shaderc_compute_shader,
                                     name, entryPoint, options)
        }
        guard let result else {
            throw ShaderCompileError(name: name, kind: .internalError,
                                     message: "shaderc_compile_into_spv returned no result")
        }
        defer { shaderc_result_release(result) }

        let status = shaderc_result_get_compilation_status(result)
        guard status == shaderc_compilation_status_success else {
            let message = shaderc_result_get_error_message(result).map { String(cString: $0) } ?? ""
            throw ShaderCompileError(name: name, kind: .init(status), message: message)
        }
        let byteCount = shaderc_result_get_length(result)
        guard byteCount % 4 == 0, let bytes = shaderc_result_get_bytes(result) else {
            throw ShaderCompileError(name: name, kind: .internalError,
                                     message: "shaderc produced \(byteCount) bytes, not whole SPIR-V words")
        }
        return Array(UnsafeBufferPointer(
            start: UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt32.self), count: byteCount / 4))
    }
}

/// A failed shader compile; `message` is shaderc's diagnostic text, which
/// names the file and line (`matvec.comp:12: error: ...`).
public struct ShaderCompileError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, as shaderc classifies it.
    public enum Kind: String, Sendable {
        case compilationError, invalidStage, internalError, nullResultObject,
             invalidAssembly, validationError, transformationError, configurationError
    }

    /// The shader's file name as given to `compile`.
    public let name: String
    public let kind: Kind
    /// shaderc's diagnostics, one per line.
    public let message: String

    public var description: String {
        let text = message.trimmingTrailingNewlines
        return text.isEmpty ? "\(name): shader compile failed (\(kind))" : text
    }
}

extension ShaderCompileError.Kind {
    init(_ status: shaderc_compilation_status) {
        switch status {
        case shaderc_compilation_status_invalid_stage: self = .invalidStage
        case shaderc_compilation_status_compilation_error: self = .compilationError
        case shaderc_compilation_status_null_result_object: self = .nullResultObject
        case shaderc_compilation_status_invalid_assembly: self = .invalidAssembly
        case shaderc_compilation_status_validation_error: self = .validationError
        case shaderc_compilation_status_transformation_error: self = .transformationError
        case shaderc_compilation_status_configuration_error: self = .configurationError
        default: self = .internalError
        }
    }
}

extension ShaderCompiler.Optimization {
    var shadercLevel: shaderc_optimization_level {
        switch self {
        case .none: shaderc_optimization_level_zero
        case .size: shaderc_optimization_level_size
        case .performance: shaderc_optimization_level_performance
        }
    }
}

private extension String {
    var trimmingTrailingNewlines: String {
        var s = Substring(self)
        while let last = s.last, last.isNewline { s = s.dropLast() }
        return String(s)
    }
}
