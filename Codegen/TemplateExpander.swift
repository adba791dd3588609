/// Replaces `{{NAME}}` placeholders in template text with values.
///
/// Deliberately tiny: no conditionals, loops or escapes, so a template reads
/// as the GLSL it becomes. Strict both ways: a placeholder with no value is
/// an error (with line and column), and so is a value no placeholder uses,
/// because either one means the template and its spec have drifted apart.
public enum TemplateExpander {
    /// Expands `template`; `templateName` appears in error messages.
    /// Placeholder names are `[A-Z_][A-Z0-9_]*`. A value may itself contain
    /// `{{`: it is inserted verbatim, not expanded again.
    public static func expand(_ template: String, templateName: String,
                              values: [String: String]) throws -> String {
        var output = ""
        output.reserveCapacity(template.utf8.count)
        var used = Set<String>()
        let lines = template.split(separator: "\n", omittingEmptySubsequences: false)
        for (lineIndex, line) in lines.enumerated() {
            if lineIndex > 0 { output += "\n" }
            var rest = line[...]
            while let open = rest.firstRange(of: "{{") {
                output += rest[..<open.lowerBound]
                let column = line.distance(from: line.startIndex, to: open.lowerBound) + 1
                guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                    throw CodegenError.malformedPlaceholder(
                        template: templateName, line: lineIndex + 1, column: column,
                        "'{{' without a closing '}}' on the same line")
                }
                let name = String(rest[open.upperBound..<close.lowerBound])
                guard isPlaceholderName(name) else {
                    throw CodegenError.malformedPlaceholder(
                        template: templateName, line: lineIndex + 1, column: column,
                        "placeholder '{{\(name)}}' is not an upper-case identifier")
                }
                guard let value = values[name] else {
                    throw CodegenError.unknownPlaceholder(
                        template: templateName, line: lineIndex + 1, column: column, name: name)
                }
                output += value
                used.insert(name)
                rest = rest[close.upperBound...]
            }
            output += rest
        }
        let unused = Set(values.keys).subtracting(used)
        guard unused.isEmpty else {
            throw CodegenError.unusedPlaceholders(template: templateName, names: unused.sorted())
        }
        return output
    }

    /// An identifier with no lower-case letters.
    static func isPlaceholderName(_ name: String) -> Bool {
        KernelSpec.isIdentifier(name) && !name.unicodeScalars.contains { ("a"..."z").contains($0) }
    }
}
