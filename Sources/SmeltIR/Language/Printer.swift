/// Prints graph text in canonical form: two-space indentation, one
/// statement per line, comments and single blank lines kept. Parsing the
/// output and printing again gives the same text.
public enum GraphPrinter {
    public static func print(_ graph: GraphSource) -> String {
        var out = ""
        for comment in graph.comments { out += "//\(comment)\n" }
        out += "graph \(graph.name) {\n"
        printBlock(graph.body, trailing: graph.trailingComments, indent: "  ", into: &out)
        out += "}\n"
        return out
    }

    static func printBlock(_ statements: [Statement], trailing: [String], indent: String, into out: inout String) {
        for statement in statements {
            if statement.blankLineBefore { out += "\n" }
            for comment in statement.comments { out += "\(indent)//\(comment)\n" }
            printStatement(statement, indent: indent, into: &out)
        }
        for comment in trailing { out += "\(indent)//\(comment)\n" }
    }

    static func printStatement(_ statement: Statement, indent: String, into out: inout String) {
        switch statement.kind {
        case .output(let values):
            out += indent + "output " + values.map { "%" + $0.name }.joined(separator: ", ") + "\n"
        case .yield(let values):
            out += indent + "yield " + values.map { "%" + $0.name }.joined(separator: ", ") + "\n"
        case .repeatBlock(let r):
            out += "\(indent)%\(r.result) = repeat \(r.variable) in \(r.lowerBound) ..< \(r.upperBound) carry %\(r.carried) = %\(r.initial.name) {\n"
            printBlock(r.body, trailing: r.trailingComments, indent: indent + "  ", into: &out)
            out += indent + "}\n"
        case .op(let op):
            out += indent + opLine(results: op.results, op: op.op, operands: op.operands.map(\.name),
                                   attributes: op.attributes.map { ($0.key, $0.value.description) },
                                   type: op.type.map(typeText))
            if let region = op.region {
                out += " {\n"
                printBlock(region, trailing: [], indent: indent + "  ", into: &out)
                out += indent + "}"
            }
            out += "\n"
        }
    }

    static func typeText(_ type: TypeExpr) -> String {
        type.dtype + "[" + type.dims.map(\.description).joined(separator: ", ") + "]"
    }

    /// One op line without indentation or newline; shared with the flat printer.
    static func opLine(results: [String], op: String, operands: [String],
                       attributes: [(String, String)], type: String?) -> String {
        var line = results.map { "%" + $0 }.joined(separator: ", ") + " = " + op
        if !operands.isEmpty { line += " " + operands.map { "%" + $0 }.joined(separator: ", ") }
        if !attributes.isEmpty {
            line += " {" + attributes.map { "\($0.0) = \($0.1)" }.joined(separator: ", ") + "}"
        }
        if let type { line += " : " + type }
        return line
    }
}
