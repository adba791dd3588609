/// Parses graph text into a `GraphSource`. Errors are `file:line:col:`.
public struct GraphParser {
    private var tokens: [Token]
    private var position = 0

    private init(tokens: [Token]) { self.tokens = tokens }

    /// Parses one `graph NAME { ... }` from `text`; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> GraphSource {
        var parser = GraphParser(tokens: try Lexer.tokenize(text, file: file))
        return try parser.parseGraph()
    }

    // MARK: Token helpers

    private var current: Token { tokens[position] }

    private mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private func isPunct(_ p: String) -> Bool { current.kind == .punct(p) }
    private func isKeyword(_ k: String) -> Bool { current.kind == .identifier(k) }

    private mutating func expectPunct(_ p: String, _ context: String) throws {
        guard isPunct(p) else { throw unexpected("expected '\(p)' \(context)") }
        _ = advance()
    }

    private func unexpected(_ message: String, hint: String? = nil) -> SmeltError {
        SmeltError("\(message), found \(describe(current.kind))", at: current.location, hint: hint)
    }

    private func describe(_ kind: TokenKind) -> String {
        switch kind {
        case .identifier(let s): "'\(s)'"
        case .value(let s): "'%\(s)'"
        case .integer(let v): "'\(v)'"
        case .float(let v): "'\(v)'"
        case .string(let s): quoteString(s)
        case .comment: "a comment"
        case .punct(let p): "'\(p)'"
        case .newline: "end of line"
        case .end: "end of file"
        }
    }

    private mutating func skipNewlines() {
        while current.kind == .newline { _ = advance() }
    }

    /// Collects full-line comments (and the newlines between them).
    private mutating func collectComments() -> (comments: [String], blankLineBefore: Bool) {
        var comments: [String] = []
        var blank = false
        skipNewlines()
        var first = true
        while case .comment(let text) = current.kind {
            if first { blank = current.afterBlankLine }
            first = false
            comments.append(text)
            _ = advance()
            skipNewlines()
        }
        if first { blank = current.afterBlankLine }
        return (comments, blank)
    }

    private mutating func endOfStatement() throws {
        guard current.kind == .newline || current.kind == .end || isPunct("}") else {
            throw unexpected("expected end of line")
        }
        skipNewlines()
    }

    // MARK: Graph structure

    private mutating func parseGraph() throws -> GraphSource {
        let (comments, _) = collectComments()
        let location = current.location
        guard isKeyword("graph") else { throw unexpected("expected 'graph NAME {'") }
        _ = advance()
        guard case .identifier(let name) = current.kind else { throw unexpected("expected a graph name") }
        _ = advance()
        try expectPunct("{", "to open the graph body")
        let (body, trailing) = try parseBlock(allowYield: false)
        skipNewlines()
        guard current.kind == .end else { throw unexpected("expected end of file after the graph") }
        return GraphSource(name: name, comments: comments, location: location, body: body, trailingComments: trailing)
    }

    /// Parses statements up to and including the closing brace.
    private mutating func parseBlock(allowYield: Bool) throws -> ([Statement], [String]) {
        var statements: [Statement] = []
        while true {
            let (comments, blank) = collectComments()
            if isPunct("}") {
                _ = advance()
                return (statements, comments)
            }
            if current.kind == .end { throw unexpected("expected '}' to close the block") }
            var statement = try parseStatement(allowYield: allowYield)
            statement.comments = comments
            statement.blankLineBefore = blank && !statements.isEmpty
            statements.append(statement)
        }
    }

    private mutating func parseStatement(allowYield: Bool) throws -> Statement {
        let location = current.location
        if isKeyword("output") || isKeyword("yield") {
            let isYield = isKeyword("yield")
            if isYield && !allowYield {
                throw SmeltError("'yield' is only allowed at the end of a repeat or fused body", at: location)
            }
            _ = advance()
            let values = try parseValueList()
            try endOfStatement()
            return Statement(kind: isYield ? .yield(values) : .output(values), location: location)
        }
        guard case .value = current.kind else {
            throw unexpected("expected a statement ('%name = op ...', 'output', or 'yield')")
        }
        let results = try parseValueList().map(\.name)
        try expectPunct("=", "after the result name")
        if isKeyword("repeat") {
            guard results.count == 1 else {
                throw SmeltError("'repeat' has exactly one result", at: location)
            }
            return Statement(kind: .repeatBlock(try parseRepeat(result: results[0])), location: location)
        }
        return Statement(kind: .op(try parseOp(results: results)), location: location)
    }

    private mutating func parseValueList() throws -> [ValueRef] {
        var values: [ValueRef] = []
        repeat {
            if !values.isEmpty { _ = advance() }
            guard case .value(let name) = current.kind else { throw unexpected("expected a value name like '%x'") }
            values.append(ValueRef(name: name, location: advance().location))
        } while isPunct(",")
        return values
    }

    private mutating func parseRepeat(result: String) throws -> RepeatStatement {
        _ = advance()
        guard case .identifier(let variable) = current.kind else { throw unexpected("expected a loop variable name") }
        _ = advance()
        guard isKeyword("in") else { throw unexpected("expected 'in'") }
        _ = advance()
        let lower = try parseExpr()
        try expectPunct("..<", "between the repeat bounds")
        let upper = try parseExpr()
        guard isKeyword("carry") else { throw unexpected("expected 'carry %name = %initial'") }
        _ = advance()
        guard case .value(let carried) = current.kind else { throw unexpected("expected the carried value's name") }
        _ = advance()
        try expectPunct("=", "after the carried value")
        guard case .value(let initial) = current.kind else { throw unexpected("expected the initial value") }
        let initialRef = ValueRef(name: initial, location: advance().location)
        try expectPunct("{", "to open the repeat body")
        try endOfStatement()
        let (body, trailing) = try parseBlock(allowYield: true)
        try endOfStatement()
        return RepeatStatement(result: result, variable: variable, lowerBound: lower, upperBound: upper,
                               carried: carried, initial: initialRef, body: body, trailingComments: trailing)
    }

    private mutating func parseOp(results: [String]) throws -> OpStatement {
        guard case .identifier(let name) = current.kind else { throw unexpected("expected an op name") }
        let opLocation = advance().location
        var operands: [ValueRef] = []
        if case .value = current.kind { operands = try parseValueList() }
        var attributes: [OpStatement.Attribute] = []
        if isPunct("{"), tokens[position + 1].kind != .newline {
            attributes = try parseAttributes()
        }
        var type: TypeExpr?
        if isPunct(":") {
            _ = advance()
            type = try parseType()
        }
        var region: [Statement]?
        if isPunct("{") {
            _ = advance()
            try endOfStatement()
            region = try parseBlock(allowYield: true).0
        }
        try endOfStatement()
        return OpStatement(results: results, op: name, opLocation: opLocation, operands: operands,
                           attributes: attributes, type: type, region: region)
    }

    private mutating func parseAttributes() throws -> [OpStatement.Attribute] {
        _ = advance()
        var attributes: [OpStatement.Attribute] = []
        while !isPunct("}") {
            if !attributes.isEmpty { try expectPunct(",", "between attributes") }
            guard case .identifier(let key) = current.kind else { throw unexpected("expected an attribute name") }
            let location = advance().location
            if attributes.contains(where: { $0.key == key }) {
                throw SmeltError("attribute '\(key)' is given twice", at: location)
            }
            try expectPunct("=", "after attribute '\(key)'")
            attributes.append(.init(key: key, value: try parseExpr(), location: location))
        }
        _ = advance()
        return attributes
    }

    private mutating func parseType() throws -> TypeExpr {
        let location = current.location
        guard case .identifier(let dtype) = current.kind else { throw unexpected("expected a type like 'f32[T, 64]'") }
        _ = advance()
        guard isPunct("[") else { throw unexpected("expected '[' after the element type") }
        guard case .list(let dims) = try parsePrimary() else { throw unexpected("expected dimensions") }
        return TypeExpr(dtype: dtype, dims: dims, location: location)
    }

    // MARK: Expressions (precedence climbing)

    mutating func parseExpr() throws -> Expr {
        let condition = try parseBinary(minPrecedence: 1)
        guard isPunct("?") else { return condition }
        _ = advance()
        let a = try parseBinary(minPrecedence: 1)
        try expectPunct(":", "in a '?:' expression")
        return .conditional(condition, a, try parseExpr())
    }

    private func binaryOperator() -> String? {
        switch current.kind {
        case .punct(let p) where Expr.precedence[p] != nil: p
        case .identifier("in"): "in"
        default: nil
        }
    }

    private mutating func parseBinary(minPrecedence: Int) throws -> Expr {
        var lhs = try parseUnary()
        while let op = binaryOperator(), let p = Expr.precedence[op], p >= minPrecedence {
            _ = advance()
            lhs = .binary(op, lhs, try parseBinary(minPrecedence: p + 1))
        }
        return lhs
    }

    private mutating func parseUnary() throws -> Expr {
        if isPunct("-") || isPunct("!") {
            guard case .punct(let op) = advance().kind else { fatalError("unreachable") }
            let operand = try parseUnary()
            if op == "-", case .int(let v) = operand { return .int(-v) }
            if op == "-", case .float(let v) = operand { return .float(-v) }
            return .unary(op, operand)
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws -> Expr {
        let token = current
        switch token.kind {
        case .integer(let v): _ = advance(); return .int(v)
        case .float(let v): _ = advance(); return .float(v)
        case .string(let s): _ = advance(); return .string(s)
        case .identifier("true"): _ = advance(); return .bool(true)
        case .identifier("false"): _ = advance(); return .bool(false)
        case .identifier("config"):
            _ = advance()
            try expectPunct(".", "after 'config'")
            guard case .identifier(let key) = current.kind else { throw unexpected("expected a config key") }
            _ = advance()
            return .config(key)
        case .identifier(let name):
            _ = advance()
            guard isPunct("(") else { return .name(name) }
            _ = advance()
            var args: [Expr] = []
            while !isPunct(")") {
                if !args.isEmpty { try expectPunct(",", "between arguments") }
                args.append(try parseExpr())
            }
            _ = advance()
            return .call(name, args)
        case .punct("("):
            _ = advance()
            let inner = try parseExpr()
            try expectPunct(")", "to close '('")
            return inner
        case .punct("["):
            _ = advance()
            var items: [Expr] = []
            while !isPunct("]") {
                if !items.isEmpty { try expectPunct(",", "between list items") }
                items.append(try parseExpr())
            }
            _ = advance()
            return .list(items)
        default:
            throw unexpected("expected a value")
        }
    }
}
