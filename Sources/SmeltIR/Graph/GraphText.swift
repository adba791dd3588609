extension Graph {
    /// The graph as text in the graph language: one op per line with its
    /// result type. Parsing it (and instantiating with no config) gives back
    /// an equal graph.
    public var text: String {
        var out = "graph \(name) {\n"
        printOps(ops, indent: "  ", into: &out)
        if !outputs.isEmpty {
            out += "  output " + outputs.map { "%" + self.name(of: $0) }.joined(separator: ", ") + "\n"
        }
        return out + "}\n"
    }

    private func printOps(_ ops: [Op], indent: String, into out: inout String) {
        for op in ops {
            let type = values[op.result.index].type
            // Results of several values and unbound weights carry no written type.
            let typeText = op.results.count == 1 && type.dtype != nil ? type.description : nil
            out += indent + GraphPrinter.opLine(results: op.results.map(name(of:)), op: op.kind,
                                                operands: op.operands.map(name(of:)),
                                                attributes: op.attributes.map { ($0.key, $0.value.description) },
                                                type: typeText)
            if let region = op.region {
                out += " {\n"
                printOps(region.ops, indent: indent + "  ", into: &out)
                out += indent + "  yield " + region.yields.map { "%" + name(of: $0) }.joined(separator: ", ") + "\n"
                out += indent + "}"
            }
            out += "\n"
        }
    }

    /// Parses flat graph text (no config references).
    public static func parse(_ text: String, file: String, env: EvalEnvironment = .empty) throws -> Graph {
        try GraphParser.parse(text, file: file).instantiate(env)
    }
}
