/// Errors from turning a `KernelSpec` into GLSL, written for the person who
/// wrote the spec or the template: each names the kernel or the template
/// position (`vector_add_f32.comp.in:12:5`).
public enum CodegenError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The spec contradicts itself (duplicate binding, bad identifier, ...).
    case invalidSpec(kernel: String, String)
    /// No template with this name in the library.
    case unknownTemplate(kernel: String, template: String, known: [String])
    /// The template uses `{{NAME}}` but nothing supplies a value.
    case unknownPlaceholder(template: String, line: Int, column: Int, name: String)
    /// A value was supplied for a placeholder the template never uses.
    case unusedPlaceholders(template: String, names: [String])
    /// `{{` without a closing `}}`, or a placeholder name that is not an
    /// identifier.
    case malformedPlaceholder(template: String, line: Int, column: Int, String)

    public var description: String {
        switch self {
        case .invalidSpec(let kernel, let why):
            "kernel '\(kernel)': \(why)"
        case .unknownTemplate(let kernel, let template, let known):
            "kernel '\(kernel)': unknown template '\(template)' (known: \(known.joined(separator: ", ")))"
        case .unknownPlaceholder(let template, let line, let column, let name):
            "\(template):\(line):\(column): unknown placeholder {{\(name)}}"
        case .unusedPlaceholders(let template, let names):
            "\(template): values given for placeholders the template never uses: "
                + names.map { "{{\($0)}}" }.joined(separator: ", ")
        case .malformedPlaceholder(let template, let line, let column, let why):
            "\(template):\(line):\(column): \(why)"
        }
    }
}
