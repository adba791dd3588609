/// GLSL text with `{{NAME}}` placeholders from which kernels are generated.
///
/// Templates are Swift string constants (one file per kernel family) rather
/// than resource files, so the module needs no resource bundle and a template
/// can never go missing at run time.
public struct KernelTemplate: Hashable, Sendable {
    public let name: String
    public let source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }

    /// The name used in diagnostics, as if the template were a file.
    public var fileName: String { "\(name).comp.in" }
}

/// A set of templates looked up by name.
public struct KernelTemplateLibrary: Sendable {
    public private(set) var templates: [String: KernelTemplate] = [:]

    /// A later template replaces an earlier one of the same name, so a caller
    /// can start from `builtin.templates.values` and override one.
    public init(_ templates: [KernelTemplate]) {
        for template in templates { self.templates[template.name] = template }
    }

    /// The templates that ship with Smelt.
    public static let builtin = KernelTemplateLibrary([.vectorBinaryF32, .matvecF32] + weightKernelTemplates)

    /// Every template the lowering uses.
    public static let runtime = KernelTemplateLibrary([
        .vectorBinaryF32, .matvecF32, .embeddingPacked, .rmsNormF32, .elementwiseF32, .ropeF32,
        .kvWrite, .attention, .attentionRows, .sample,
    ] + weightKernelTemplates + fusedKernelTemplates)

    /// The template called `name`; `kernel` names the spec asking, for the
    /// error message.
    public func template(named name: String, for kernel: String) throws -> KernelTemplate {
        guard let template = templates[name] else {
            throw CodegenError.unknownTemplate(kernel: kernel, template: name, known: templates.keys.sorted())
        }
        return template
    }
}
