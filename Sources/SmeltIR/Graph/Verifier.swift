/// Checks a flat graph: known ops, operand counts, attributes, SSA order and
/// types. Errors name the op and its source location. Runs after parsing,
/// after every pass, and in tests.
public enum Verifier {
    public static func verify(_ graph: Graph) throws {
        var defined = Set<ValueID>()
        try verify(graph.ops, in: graph, defined: &defined)
        for output in graph.outputs where !defined.contains(output) {
            throw SmeltError("graph '\(graph.name)': output '%\(graph.name(of: output))' is never defined")
        }
    }

    private static func verify(_ ops: [Op], in graph: Graph, defined: inout Set<ValueID>) throws {
        for op in ops {
            for (i, operand) in op.operands.enumerated() {
                guard operand.index < graph.values.count, defined.contains(operand) else {
                    let name = operand.index < graph.values.count ? "'%\(graph.name(of: operand))'" : "#\(operand.index)"
                    throw SmeltError("\(op.kind): operand \(i) \(name) is used before it is defined", at: op.location)
                }
            }
            var regionTypes: [TensorType]?
            if let region = op.region {
                var inner = defined
                try verify(region.ops, in: graph, defined: &inner)
                regionTypes = try region.yields.map { value in
                    guard inner.contains(value) else {
                        throw SmeltError("fused: yields a value its region does not define", at: op.location)
                    }
                    return graph.type(of: value)
                }
            }
            let declared = op.kind == "input" ? graph.type(of: op.result) : nil
            let types = try inferTypes(kind: op.kind, operandTypes: op.operands.map(graph.type(of:)),
                                       attributes: op.attributes, declaredType: declared,
                                       regionTypes: regionTypes, location: op.location)
            guard types.count == op.results.count else {
                throw SmeltError("\(op.kind): has \(op.results.count) results, expected \(types.count)", at: op.location)
            }
            for (result, type) in zip(op.results, types) {
                guard result.index < graph.values.count else {
                    throw SmeltError("\(op.kind): result #\(result.index) has no value entry", at: op.location)
                }
                guard defined.insert(result).inserted else {
                    throw SmeltError("\(op.kind): '%\(graph.name(of: result))' is defined twice", at: op.location)
                }
                guard graph.type(of: result) == type else {
                    throw SmeltError("\(op.kind): result '%\(graph.name(of: result))' has type \(graph.type(of: result)), but the op produces \(type)",
                                     at: op.location)
                }
            }
        }
    }

    /// Checks an op's operand count and attributes against its definition and
    /// returns its result types. Shared by instantiation and verification.
    public static func inferTypes(kind: String, operandTypes: [TensorType], attributes: Attributes,
                                  declaredType: TensorType?, regionTypes: [TensorType]?,
                                  location: SourceLocation) throws -> [TensorType] {
        guard let definition = OpRegistry.byName[kind] else {
            throw SmeltError("unknown op '\(kind)'", at: location, hint: didYouMean(kind, in: OpRegistry.names))
        }
        let maxOperands = definition.operandNames.count
        let minOperands = maxOperands - definition.optionalOperandCount
        if kind != "fused", !(minOperands...maxOperands).contains(operandTypes.count) {
            let expected = minOperands == maxOperands ? "\(maxOperands)" : "\(minOperands) to \(maxOperands)"
            let names = definition.operandNames.joined(separator: ", ")
            throw SmeltError("\(kind): takes \(expected) operand\(maxOperands == 1 ? "" : "s") (\(names)), got \(operandTypes.count)",
                             at: location)
        }
        try checkAttributes(attributes, of: definition, location: location)
        let context = TypeContext(op: kind, operandTypes: operandTypes, attributes: attributes, location: location,
                                  declaredType: declaredType, regionTypes: regionTypes,
                                  operandNames: definition.operandNames)
        return try definition.inferTypes(context)
    }

    private static func checkAttributes(_ attributes: Attributes, of definition: any OpDefinition,
                                        location: SourceLocation) throws {
        let specs = Dictionary(uniqueKeysWithValues: definition.attributes.map { ($0.name, $0) })
        for (key, value) in attributes {
            guard let spec = specs[key] else {
                let hint = didYouMean(key, in: specs.keys)
                    ?? (specs.isEmpty ? "it takes no attributes" : "it takes \(specs.keys.sorted().joined(separator: ", "))")
                throw SmeltError("\(definition.name): unknown attribute '\(key)'", at: location, hint: hint)
            }
            guard matches(value, spec.kind) else {
                throw SmeltError("\(definition.name): attribute '\(key)' must be \(spec.kind.description), got \(value)",
                                 at: location)
            }
        }
        for spec in definition.attributes where spec.isRequired && attributes[spec.name] == nil {
            throw SmeltError("\(definition.name): missing attribute '\(spec.name)'", at: location)
        }
    }

    private static func matches(_ value: AttrValue, _ kind: AttrKind) -> Bool {
        switch (kind, value) {
        case (.int, .int), (.bool, .bool), (.string, .string), (.shape, .list): true
        case (.float, .int), (.float, .float): true
        case (.dtype, .symbol(let s)): DType(rawValue: s) != nil
        case (.choice(let names), .symbol(let s)): names.contains(s)
        default: false
        }
    }
}

extension Op {
    /// The attribute's value, or its definition's default.
    public func attribute(_ key: String) -> AttrValue? {
        attributes[key] ?? OpRegistry.byName[kind]?.attributes.first { $0.name == key }?.defaultValue
    }
}
