/// What kind of value an attribute takes.
public enum AttrKind: Sendable, Hashable {
    case int, float, bool, string, dtype, shape
    /// One of a fixed set of names.
    case choice([String])

    var description: String {
        switch self {
        case .int: "an integer"
        case .float: "a number"
        case .bool: "true or false"
        case .string: "a string"
        case .dtype: "a dtype (\(DType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .shape: "a shape like [T, 64]"
        case .choice(let names): "one of \(names.joined(separator: ", "))"
        }
    }
}

/// One attribute an op accepts.
public struct AttributeSpec: Sendable {
    public var name: String
    public var kind: AttrKind
    /// Absent and no default: the attribute must be written.
    public var defaultValue: AttrValue?
    public var isRequired: Bool

    public static func required(_ name: String, _ kind: AttrKind) -> AttributeSpec {
        AttributeSpec(name: name, kind: kind, defaultValue: nil, isRequired: true)
    }

    public static func optional(_ name: String, _ kind: AttrKind, default value: AttrValue? = nil) -> AttributeSpec {
        AttributeSpec(name: name, kind: kind, defaultValue: value, isRequired: false)
    }
}

/// The definition of one op: its operands, attributes and type rule.
/// Adding an op is one file with a type conforming to this protocol and one
/// line in `OpRegistry.all`.
public protocol OpDefinition: Sendable {
    /// The name written in graph text, e.g. `rms_norm`.
    var name: String { get }
    /// One line for `smelt ops` and docs.
    var summary: String { get }
    /// Operand names, for error messages; the last `optionalOperandCount` may be left out.
    var operandNames: [String] { get }
    var optionalOperandCount: Int { get }
    var attributes: [AttributeSpec] { get }
    /// Result types from operand types and attributes; throws `ctx.error(...)` on misuse.
    func inferTypes(_ ctx: TypeContext) throws -> [TensorType]
}

extension OpDefinition {
    public var optionalOperandCount: Int { 0 }
    public var attributes: [AttributeSpec] { [] }
}

/// What a type rule sees: the op's operand types and attributes, and a way
/// to report an error at the op.
public struct TypeContext {
    public var op: String
    public var operandTypes: [TensorType]
    public var attributes: Attributes
    public var location: SourceLocation
    /// The type written after ':' if any (required for `input`).
    public var declaredType: TensorType?
    /// Result types of a fused region's yield.
    public var regionTypes: [TensorType]?
    var operandNames: [String]

    public func error(_ message: String, hint: String? = nil) -> SmeltError {
        SmeltError("\(op): \(message)", at: location, hint: hint)
    }

    public func operand(_ i: Int) -> TensorType { operandTypes[i] }

    /// `name` (operand i) described for messages: "operand 'weight' f32[64]".
    public func describe(_ i: Int) -> String {
        "'\(i < operandNames.count ? operandNames[i] : "operand \(i)")' \(operandTypes[i])"
    }

    public func int(_ key: String) -> Int { attributes[key]?.intValue ?? 0 }
    public func double(_ key: String) -> Double { attributes[key]?.doubleValue ?? 0 }
    public func bool(_ key: String) -> Bool { attributes[key]?.boolValue ?? false }

    /// Fails unless operand `i` has rank `rank`.
    public func requireRank(_ i: Int, _ rank: Int) throws {
        guard operandTypes[i].rank == rank else {
            throw error("\(describe(i)) must have rank \(rank)")
        }
    }

    /// Fails unless operand `i` is an activation of dtype `dtype`.
    public func requireDType(_ i: Int, _ dtype: DType) throws {
        guard operandTypes[i].dtype == dtype else { throw error("\(describe(i)) must be \(dtype.rawValue)") }
    }

    /// Fails unless two dimensions agree.
    public func requireEqual(_ a: Dim?, _ b: Dim?, _ what: String) throws {
        guard let a, let b, a == b else {
            throw error("\(what): \(a?.description ?? "none") does not match \(b?.description ?? "none")")
        }
    }
}

/// Every op the IR knows, by name.
public enum OpRegistry {
    /// Adding an op: one line here.
    public static let all: [any OpDefinition] = [
        InputOp(), WeightOp(), EmbeddingOp(), RMSNormOp(), LinearOp(), BinaryOp(name: "add"), BinaryOp(name: "mul"),
        ScaleOp(), ReshapeOp(), RoPEOp(), KVWriteOp(), AttentionOp(), UnaryOp(name: "gelu_tanh"),
        UnaryOp(name: "silu"), LogitsOp(), SampleOp(), FusedOp(),
    ]

    public static let byName: [String: any OpDefinition] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static var names: [String] { all.map(\.name) }
}
