/// The graph language as written: the syntax tree the parser builds and the
/// printer prints. Expressions stay unevaluated and `repeat` blocks stay
/// rolled up, so printing a parsed file gives back the file.
/// `GraphSource.instantiate` turns it into a flat `Graph`.
public struct GraphSource: Sendable, Hashable {
    public var name: String
    public var comments: [String]
    public var location: SourceLocation
    public var body: [Statement]
    /// Comments after the last statement, before the closing brace.
    public var trailingComments: [String]
}

/// One line of a graph body, with the comments written above it.
public struct Statement: Sendable, Hashable {
    public var kind: Kind
    public var comments: [String] = []
    public var blankLineBefore = false
    public var location: SourceLocation

    public enum Kind: Sendable, Hashable {
        case op(OpStatement)
        case repeatBlock(RepeatStatement)
        case yield([ValueRef])
        case output([ValueRef])
    }
}

/// A use of an SSA value by name, with where it was written.
public struct ValueRef: Sendable, Hashable {
    public var name: String
    public var location: SourceLocation
}

/// `%a, %b = op %x, %y {key = expr, ...} : dtype[dims]`
public struct OpStatement: Sendable, Hashable {
    public var results: [String]
    public var op: String
    public var opLocation: SourceLocation
    public var operands: [ValueRef]
    public var attributes: [Attribute]
    public var type: TypeExpr?
    /// Member statements of a `fused` region, ending in a `yield`.
    public var region: [Statement]?

    public struct Attribute: Sendable, Hashable {
        public var key: String
        public var value: Expr
        public var location: SourceLocation
    }
}

/// `%out = repeat layer in 0 ..< config.n_layers carry %h = %x { ... yield %h2 }`
/// runs its body once per value of the variable; `%h` is `%x` in the first
/// iteration and the previous iteration's yield after that.
public struct RepeatStatement: Sendable, Hashable {
    public var result: String
    public var variable: String
    public var lowerBound: Expr
    public var upperBound: Expr
    public var carried: String
    public var initial: ValueRef
    public var body: [Statement]
    public var trailingComments: [String]
}

/// `f32[T, config.d_model]`
public struct TypeExpr: Sendable, Hashable {
    public var dtype: String
    public var dims: [Expr]
    public var location: SourceLocation
}
