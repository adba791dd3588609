/// Emits the GLSL for a `KernelSpec` by expanding its template.
///
/// Templates hold the kernel's body; the interface comes from the spec
/// through four built-in placeholders, so it is written once:
///
/// | placeholder | becomes |
/// |---|---|
/// | `{{WORKGROUP_SIZE}}` | `layout(local_size_x = …, …) in;` |
/// | `{{BINDINGS}}` | one buffer block declaration per binding |
/// | `{{SPECIALIZATION_CONSTANTS}}` | `layout(constant_id = N) const T NAME = default;` |
/// | `{{PUSH_CONSTANTS}}` | a `push_constant` block named `pc` |
///
/// A built-in with nothing to declare (no push constants, say) is not
/// supplied, so a template that still mentions it fails to expand.
public enum KernelGenerator {
    public static let workgroupSizePlaceholder = "WORKGROUP_SIZE"
    public static let bindingsPlaceholder = "BINDINGS"
    public static let specializationConstantsPlaceholder = "SPECIALIZATION_CONSTANTS"
    public static let pushConstantsPlaceholder = "PUSH_CONSTANTS"

    /// The GLSL source for `spec`, ready for `ShaderCompiler.compile`.
    public static func glsl(for spec: KernelSpec, library: KernelTemplateLibrary = .builtin) throws -> String {
        try spec.validate()
        let template = try library.template(named: spec.template, for: spec.name)
        var values = builtInValues(for: spec)
        for (key, value) in spec.parameters {
            guard !builtInNames.contains(key) else {
                throw CodegenError.invalidSpec(
                    kernel: spec.name, "parameter '\(key)' collides with a built-in placeholder")
            }
            values[key] = value
        }
        return try TemplateExpander.expand(template.source, templateName: template.fileName, values: values)
    }

    static let builtInNames: Set<String> = [
        workgroupSizePlaceholder, bindingsPlaceholder,
        specializationConstantsPlaceholder, pushConstantsPlaceholder,
    ]

    static func builtInValues(for spec: KernelSpec) -> [String: String] {
        let size = spec.workgroupSize
        var values = [
            workgroupSizePlaceholder:
                "layout(local_size_x = \(size.x), local_size_y = \(size.y), local_size_z = \(size.z)) in;",
        ]
        if !spec.bindings.isEmpty {
            values[bindingsPlaceholder] = spec.bindings.map(declaration).joined(separator: "\n")
        }
        if !spec.specializationConstants.isEmpty {
            values[specializationConstantsPlaceholder] = spec.specializationConstants.map { constant in
                "layout(constant_id = \(constant.id)) const \(constant.value.type.rawValue) "
                    + "\(constant.name) = \(defaultLiteral(constant.value.type));"
            }.joined(separator: "\n")
        }
        if !spec.pushConstants.isEmpty {
            let fields = spec.pushConstants.map { "    \($0.type.rawValue) \($0.name);" }
            values[pushConstantsPlaceholder] =
                (["layout(push_constant) uniform PushConstants {"] + fields + ["} pc;"]).joined(separator: "\n")
        }
        return values
    }

    static func declaration(_ b: KernelSpec.Binding) -> String {
        switch b.kind {
        case .storage:
            let qualifier = switch b.access {
            case .readOnly: "readonly "
            case .writeOnly: "writeonly "
            case .readWrite: ""
            case .coherent: "coherent "
            }
            return "layout(set = \(b.set), binding = \(b.binding), std430) \(qualifier)buffer "
                + "\(b.name)_block { \(b.elementType) \(b.name)[]; };"
        case .uniform:
            return "layout(set = \(b.set), binding = \(b.binding), std140) uniform "
                + "\(b.name)_block { \(b.elementType) \(b.name); };"
        case .texel:
            return "layout(set = \(b.set), binding = \(b.binding)) uniform utextureBuffer \(b.name);"
        }
    }

    /// The GLSL default is never used at run time (the pipeline always
    /// specializes every constant); a fixed neutral value keeps the SPIR-V
    /// identical for every spec that shares a template.
    static func defaultLiteral(_ type: ScalarType) -> String {
        switch type {
        case .uint: "1u"
        case .int: "1"
        case .float: "1.0"
        case .bool: "false"
        }
    }
}
