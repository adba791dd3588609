import Foundation

/// An expression in graph text: attribute values, shapes and repeat bounds
/// are expressions over the model config (`config.head_dim`), the repeat
/// variable (`layer`) and literals, evaluated when a graph is instantiated.
public indirect enum Expr: Sendable, Hashable {
    case int(Int)
    case float(Double)
    case bool(Bool)
    case string(String)
    /// A bare name: a repeat variable, a symbolic dimension or a symbol.
    case name(String)
    /// `config.key`
    case config(String)
    case list([Expr])
    case unary(String, Expr)
    case binary(String, Expr, Expr)
    case call(String, [Expr])
    case conditional(Expr, Expr, Expr)

    /// Binding strength of binary operators; higher binds tighter.
    static let precedence: [String: Int] = [
        "||": 1, "&&": 2,
        "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3, "in": 3,
        "+": 4, "-": 4,
        "*": 5, "/": 5, "%": 5,
    ]

    static let functions = ["sqrt", "pow", "min", "max", "exp", "log"]
}

extension Expr: CustomStringConvertible {
    public var description: String { printed(parentPrecedence: 0) }

    func printed(parentPrecedence: Int) -> String {
        switch self {
        case .int(let v): return String(v)
        case .float(let v): return formatFloat(v)
        case .bool(let v): return v ? "true" : "false"
        case .string(let v): return quoteString(v)
        case .name(let v): return v
        case .config(let key): return "config.\(key)"
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .unary(let op, let operand): return op + operand.printed(parentPrecedence: 6)
        case .binary(let op, let lhs, let rhs):
            let p = Expr.precedence[op] ?? 0
            // Left-associative: the right operand needs parentheses at equal precedence.
            let text = "\(lhs.printed(parentPrecedence: p)) \(op) \(rhs.printed(parentPrecedence: p + 1))"
            return p < parentPrecedence ? "(\(text))" : text
        case .call(let name, let args):
            return name + "(" + args.map(\.description).joined(separator: ", ") + ")"
        case .conditional(let c, let a, let b):
            let text = "\(c.printed(parentPrecedence: 1)) ? \(a.printed(parentPrecedence: 1)) : \(b.printed(parentPrecedence: 0))"
            return parentPrecedence > 0 ? "(\(text))" : text
        }
    }
}

/// What names an expression may refer to while it is evaluated.
public struct EvalEnvironment {
    public var config: (String) -> AttrValue?
    public var configKeys: [String]
    public var variables: [String: AttrValue] = [:]

    public init(config: @escaping (String) -> AttrValue?, configKeys: [String]) {
        self.config = config
        self.configKeys = configKeys
    }

    /// An environment with no config: only literals evaluate.
    public static let empty = EvalEnvironment(config: { _ in nil }, configKeys: [])
}

extension Expr {
    /// Evaluates to a concrete value; `location` is where errors point.
    public func evaluate(_ env: EvalEnvironment, at location: SourceLocation) throws -> AttrValue {
        switch self {
        case .int(let v): return .int(v)
        case .float(let v): return .float(v)
        case .bool(let v): return .bool(v)
        case .string(let v): return .string(try interpolate(v, env, location))
        case .name(let name): return env.variables[name] ?? .symbol(name)
        case .config(let key):
            guard let value = env.config(key) else {
                if env.configKeys.contains(key) {
                    throw SmeltError("config key '\(key)' has no value", at: location,
                                     hint: "the model config does not set it and no checkpoint supplied it")
                }
                throw SmeltError("unknown config key '\(key)'", at: location,
                                 hint: didYouMean(key, in: env.configKeys) ?? "the model config does not set it")
            }
            return value
        case .list(let items): return .list(try items.map { try $0.evaluate(env, at: location) })
        case .unary(let op, let operand):
            let value = try operand.evaluate(env, at: location)
            switch (op, value) {
            case ("-", .int(let v)): return .int(-v)
            case ("-", .float(let v)): return .float(-v)
            case ("!", .bool(let v)): return .bool(!v)
            default: throw SmeltError("cannot apply '\(op)' to a \(value.kindName)", at: location)
            }
        case .binary(let op, let lhs, let rhs):
            return try applyBinary(op, lhs.evaluate(env, at: location), rhs.evaluate(env, at: location), location)
        case .call(let name, let args):
            return try applyFunction(name, args.map { try $0.evaluate(env, at: location) }, location)
        case .conditional(let c, let a, let b):
            guard let condition = try c.evaluate(env, at: location).boolValue else {
                throw SmeltError("the condition of '?:' must be a bool", at: location)
            }
            return try (condition ? a : b).evaluate(env, at: location)
        }
    }

    /// Replaces `{layer}`-style references in weight names.
    private func interpolate(_ text: String, _ env: EvalEnvironment, _ location: SourceLocation) throws -> String {
        guard text.contains("{") else { return text }
        var out = "", name = "", inBraces = false
        for c in text {
            if inBraces {
                if c == "}" {
                    guard let value = env.variables[name] else {
                        throw SmeltError("unknown name '{\(name)}' in string", at: location,
                                         hint: didYouMean(name, in: env.variables.keys))
                    }
                    out += value.stringValue ?? value.description
                    inBraces = false
                    name = ""
                } else {
                    name.append(c)
                }
            } else if c == "{" {
                inBraces = true
            } else {
                out.append(c)
            }
        }
        if inBraces { throw SmeltError("unclosed '{' in string \(quoteString(text))", at: location) }
        return out
    }
}

private func applyBinary(_ op: String, _ a: AttrValue, _ b: AttrValue, _ location: SourceLocation) throws -> AttrValue {
    switch (op, a, b) {
    case ("in", _, .list(let items)): return .bool(items.contains(a))
    case ("&&", .bool(let x), .bool(let y)): return .bool(x && y)
    case ("||", .bool(let x), .bool(let y)): return .bool(x || y)
    case ("==", _, _): return .bool(numericEqual(a, b) ?? (a == b))
    case ("!=", _, _): return .bool(!(numericEqual(a, b) ?? (a == b)))
    case (_, .int(let x), .int(let y)):
        switch op {
        case "+": return .int(x + y)
        case "-": return .int(x - y)
        case "*": return .int(x * y)
        case "/", "%":
            guard y != 0 else { throw SmeltError("division by zero", at: location) }
            return .int(op == "/" ? x / y : x % y)
        case "<": return .bool(x < y)
        case "<=": return .bool(x <= y)
        case ">": return .bool(x > y)
        case ">=": return .bool(x >= y)
        default: break
        }
    default:
        if let x = a.doubleValue, let y = b.doubleValue {
            switch op {
            case "+": return .float(x + y)
            case "-": return .float(x - y)
            case "*": return .float(x * y)
            case "/": return .float(x / y)
            case "<": return .bool(x < y)
            case "<=": return .bool(x <= y)
            case ">": return .bool(x > y)
            case ">=": return .bool(x >= y)
            default: break
            }
        }
    }
    throw SmeltError("cannot apply '\(op)' to a \(a.kindName) and a \(b.kindName)", at: location)
}

private func numericEqual(_ a: AttrValue, _ b: AttrValue) -> Bool? {
    guard let x = a.doubleValue, let y = b.doubleValue else { return nil }
    return x == y
}

private func applyFunction(_ name: String, _ args: [AttrValue], _ location: SourceLocation) throws -> AttrValue {
    let numbers = args.compactMap(\.doubleValue)
    guard numbers.count == args.count else {
        throw SmeltError("\(name)() takes numbers", at: location)
    }
    func arity(_ n: Int) throws {
        guard args.count == n else {
            throw SmeltError("\(name)() takes \(n) argument\(n == 1 ? "" : "s"), got \(args.count)", at: location)
        }
    }
    switch name {
    case "sqrt": try arity(1); return .float(numbers[0].squareRoot())
    case "exp": try arity(1); return .float(Foundation.exp(numbers[0]))
    case "log": try arity(1); return .float(Foundation.log(numbers[0]))
    case "pow": try arity(2); return .float(Foundation.pow(numbers[0], numbers[1]))
    case "min", "max":
        try arity(2)
        if case .int(let x) = args[0], case .int(let y) = args[1] { return .int(name == "min" ? min(x, y) : max(x, y)) }
        return .float(name == "min" ? min(numbers[0], numbers[1]) : max(numbers[0], numbers[1]))
    default:
        throw SmeltError("unknown function '\(name)'", at: location, hint: didYouMean(name, in: Expr.functions))
    }
}
