/// Identifies an SSA value of a graph: an index into `Graph.values`.
public struct ValueID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: ValueID, b: ValueID) -> Bool { a.index < b.index }
    public var description: String { "v\(index)" }
}

/// What a graph knows about a value: its printed name and its type.
public struct ValueInfo: Sendable, Hashable {
    public var name: String
    public var type: TensorType
}

/// Ordered attributes of an op. Order is kept so printing is stable.
public struct Attributes: Sendable, Hashable, Sequence {
    public private(set) var entries: [(key: String, value: AttrValue)] = []

    public init(_ entries: [(String, AttrValue)] = []) {
        for (key, value) in entries { self[key] = value }
    }

    public subscript(key: String) -> AttrValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public var keys: [String] { entries.map(\.key) }
    public func makeIterator() -> IndexingIterator<[(key: String, value: AttrValue)]> { entries.makeIterator() }

    public static func == (a: Attributes, b: Attributes) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for (key, value) in entries { hasher.combine(key); hasher.combine(value) }
    }
}

/// One operation of a flat graph.
public struct Op: Sendable, Hashable {
    public var kind: String
    public var operands: [ValueID]
    public var results: [ValueID]
    public var attributes: Attributes
    public var location: SourceLocation
    /// The member ops of a `fused` op.
    public var region: Region?

    public init(kind: String, operands: [ValueID], results: [ValueID], attributes: Attributes = Attributes(),
                location: SourceLocation, region: Region? = nil) {
        self.kind = kind
        self.operands = operands
        self.results = results
        self.attributes = attributes
        self.location = location
        self.region = region
    }

    public var result: ValueID { results[0] }
}

/// The body of a `fused` op: member ops in execution order, and the values
/// they yield as the fused op's results. Member values live in the
/// enclosing graph's value table.
public struct Region: Sendable, Hashable {
    public var ops: [Op]
    public var yields: [ValueID]

    public init(ops: [Op], yields: [ValueID]) {
        self.ops = ops
        self.yields = yields
    }
}

/// A flat, instantiated graph: every repeat unrolled, every expression
/// evaluated, every value typed. Passes, the interpreter and codegen work on
/// this form; it prints as graph text that parses back to an equal graph.
public struct Graph: Sendable, Hashable {
    public var name: String
    public var values: [ValueInfo] = []
    public var ops: [Op] = []
    public var outputs: [ValueID] = []

    public init(name: String) { self.name = name }

    public func type(of value: ValueID) -> TensorType { values[value.index].type }
    public func name(of value: ValueID) -> String { values[value.index].name }

    /// Adds a value and returns its id.
    public mutating func addValue(name: String, type: TensorType) -> ValueID {
        values.append(ValueInfo(name: name, type: type))
        return ValueID(values.count - 1)
    }

    /// The graph inputs, in order.
    public var inputs: [ValueID] { ops.filter { $0.kind == "input" }.map(\.result) }

    /// The weight ops, in order.
    public var weights: [Op] { ops.filter { $0.kind == "weight" } }

    /// The op defining each value, including ops inside fused regions.
    public func definingOps() -> [ValueID: Op] {
        var map: [ValueID: Op] = [:]
        func visit(_ ops: [Op]) {
            for op in ops {
                for r in op.results { map[r] = op }
                if let region = op.region { visit(region.ops) }
            }
        }
        visit(ops)
        return map
    }
}
