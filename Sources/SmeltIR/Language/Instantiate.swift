extension GraphSource {
    /// Evaluates every expression against `env`, unrolls every `repeat`, and
    /// type-checks every op, giving a flat verified graph. Values defined in
    /// iteration i of a repeat are named `%name.i`.
    public func instantiate(_ env: EvalEnvironment) throws -> Graph {
        var builder = Instantiator(graph: Graph(name: name), env: env)
        var scope = Scope()
        try builder.run(body, scope: &scope, suffix: "", allowOutput: true)
        guard !builder.graph.outputs.isEmpty else {
            throw SmeltError("graph '\(name)' has no 'output' statement", at: location)
        }
        try Verifier.verify(builder.graph)
        return builder.graph
    }
}

/// Names visible at a point of a body.
private struct Scope {
    var values: [String: ValueID] = [:]

    func lookup(_ ref: ValueRef) throws -> ValueID {
        guard let id = values[ref.name] else {
            throw SmeltError("use of undefined value '%\(ref.name)'", at: ref.location,
                             hint: closestMatch(to: ref.name, in: values.keys).map { "did you mean '%\($0)'?" })
        }
        return id
    }

    mutating func define(_ name: String, _ id: ValueID, at location: SourceLocation) throws {
        guard values[name] == nil else {
            throw SmeltError("'%\(name)' is already defined", at: location, hint: "values are SSA: give each result a new name")
        }
        values[name] = id
    }
}

private struct Instantiator {
    var graph: Graph
    var env: EvalEnvironment

    mutating func run(_ statements: [Statement], scope: inout Scope, suffix: String, allowOutput: Bool) throws {
        for statement in statements {
            switch statement.kind {
            case .op(let op):
                let emitted = try emitOp(op, scope: &scope, suffix: suffix)
                graph.ops.append(emitted)
            case .repeatBlock(let r):
                try emitRepeat(r, scope: &scope, suffix: suffix, location: statement.location)
            case .output(let values):
                guard allowOutput else {
                    throw SmeltError("'output' is only allowed at the top level of a graph", at: statement.location)
                }
                graph.outputs += try values.map(scope.lookup)
            case .yield:
                throw SmeltError("'yield' must be the last statement of a repeat or fused body", at: statement.location)
            }
        }
    }

    private func evaluate(_ op: OpStatement) throws -> Attributes {
        var attributes = Attributes()
        for attribute in op.attributes {
            attributes[attribute.key] = try attribute.value.evaluate(env, at: attribute.location)
        }
        return attributes
    }

    private func declaredType(_ type: TypeExpr?) throws -> TensorType? {
        guard let type else { return nil }
        guard let dtype = DType(rawValue: type.dtype) else {
            throw SmeltError("unknown dtype '\(type.dtype)'", at: type.location,
                             hint: didYouMean(type.dtype, in: DType.allCases.map(\.rawValue)))
        }
        let dims = try type.dims.map { expr -> Dim in
            switch try expr.evaluate(env, at: type.location) {
            case .int(let v) where v > 0: return .fixed(v)
            case .symbol(let s): return .symbol(s)
            case let other: throw SmeltError("dimension \(other) must be a positive integer or a symbol like T", at: type.location)
            }
        }
        return TensorType(dtype, dims)
    }

    private mutating func emitOp(_ statement: OpStatement, scope: inout Scope, suffix: String) throws -> Op {
        let operands = try statement.operands.map(scope.lookup)
        let attributes = try evaluate(statement)
        let declared = try declaredType(statement.type)
        var region: Region?
        if let body = statement.region {
            region = try emitRegion(body, scope: scope, suffix: suffix)
        }
        let types = try Verifier.inferTypes(kind: statement.op, operandTypes: operands.map(graph.type(of:)),
                                            attributes: attributes, declaredType: declared,
                                            regionTypes: region?.yields.map(graph.type(of:)),
                                            location: statement.opLocation)
        guard types.count == statement.results.count else {
            throw SmeltError("\(statement.op): produces \(types.count) result\(types.count == 1 ? "" : "s"), but \(statement.results.count) \(statement.results.count == 1 ? "is" : "are") named",
                             at: statement.opLocation)
        }
        if let declared, statement.op != "input", types.count == 1, !sameType(declared, types[0]) {
            throw SmeltError("\(statement.op): written type \(declared) does not match the inferred \(types[0])",
                             at: statement.type?.location ?? statement.opLocation)
        }
        var results: [ValueID] = []
        for (name, type) in zip(statement.results, types) {
            let id = graph.addValue(name: name + suffix, type: type)
            try scope.define(name, id, at: statement.opLocation)
            results.append(id)
        }
        return Op(kind: statement.op, operands: operands, results: results, attributes: attributes,
                  location: statement.opLocation, region: region)
    }

    /// A written type matches when shapes agree and, for weights not yet
    /// bound, whatever dtype is written.
    private func sameType(_ declared: TensorType, _ inferred: TensorType) -> Bool {
        declared.dims == inferred.dims && (inferred.dtype == nil || declared.dtype == inferred.dtype)
    }

    private mutating func emitRegion(_ body: [Statement], scope: Scope, suffix: String) throws -> Region {
        var inner = scope
        var ops: [Op] = []
        for statement in body {
            switch statement.kind {
            case .op(let op): ops.append(try emitOp(op, scope: &inner, suffix: suffix))
            case .yield(let values): return Region(ops: ops, yields: try values.map(inner.lookup))
            default: throw SmeltError("a fused body holds only ops and a final 'yield'", at: statement.location)
            }
        }
        throw SmeltError("a fused body must end with 'yield'", at: body.last?.location ?? .synthesized)
    }

    private mutating func emitRepeat(_ r: RepeatStatement, scope: inout Scope, suffix: String,
                                     location: SourceLocation) throws {
        guard let lower = try r.lowerBound.evaluate(env, at: location).intValue,
              let upper = try r.upperBound.evaluate(env, at: location).intValue else {
            throw SmeltError("repeat bounds must be integers", at: location)
        }
        guard lower <= upper, upper - lower <= 10_000 else {
            throw SmeltError("repeat range \(lower) ..< \(upper) is empty or too long", at: location)
        }
        guard case .yield(let yields)? = r.body.last?.kind, yields.count == 1 else {
            throw SmeltError("a repeat body must end with 'yield %value'", at: r.body.last?.location ?? location)
        }
        var carried = try scope.lookup(r.initial)
        let saved = env.variables[r.variable]
        defer { env.variables[r.variable] = saved }
        for i in lower..<upper {
            env.variables[r.variable] = .int(i)
            var inner = scope
            inner.values[r.carried] = carried
            try run(Array(r.body.dropLast()), scope: &inner, suffix: suffix + ".\(i)", allowOutput: false)
            carried = try inner.lookup(yields[0])
        }
        try scope.define(r.result, carried, at: location)
    }
}
