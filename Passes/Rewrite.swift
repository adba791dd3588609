import SmeltIR

/// Def-use facts about a flat graph, for passes that match op patterns.
/// Positions are indices into `graph.ops` (top-level ops).
public struct GraphIndex {
    public let graph: Graph
    private var producers: [ValueID: Int] = [:]
    private var userLists: [ValueID: [Int]] = [:]
    private let outputs: Set<ValueID>

    public init(_ graph: Graph) {
        self.graph = graph
        outputs = Set(graph.outputs)
        for (position, op) in graph.ops.enumerated() {
            for result in op.results { producers[result] = position }
            for operand in Self.operands(of: op) where userLists[operand]?.last != position {
                userLists[operand, default: []].append(position)
            }
        }
    }

    /// The values `op` reads, including those its region's members read.
    public static func operands(of op: Op) -> [ValueID] {
        op.operands + (op.region?.ops.flatMap { operands(of: $0) } ?? [])
    }

    public subscript(position: Int) -> Op { graph.ops[position] }

    /// The position of the top-level op defining `value` (nil for values
    /// defined inside a region).
    public func producer(of value: ValueID) -> Int? { producers[value] }

    /// The op defining `value` if it is a top-level op of `kind`.
    public func producer(of value: ValueID, kind: String) -> Int? {
        producers[value].flatMap { graph.ops[$0].kind == kind ? $0 : nil }
    }

    /// Positions of the top-level ops that read `value`, in order.
    public func users(of value: ValueID) -> [Int] { userLists[value] ?? [] }

    /// Whether `value` is a graph output.
    public func isOutput(_ value: ValueID) -> Bool { outputs.contains(value) }

    /// The only reader of `value`, when exactly one op reads it and it is
    /// not a graph output.
    public func soleUser(of value: ValueID) -> Int? {
        let users = users(of: value)
        return users.count == 1 && !isOutput(value) ? users[0] : nil
    }

    /// `%name` of a value, for remarks.
    public func describe(_ value: ValueID) -> String { "%" + graph.name(of: value) }
}

/// What a fusion pattern found at an anchor op.
public enum FusionMatch {
    /// Fuse these top-level ops (positions) into one kernel; `reason` says why it pays.
    case fuse([Int], reason: String)
    /// A candidate this pattern declines, and why (shown by `smelt plan`).
    case decline(String)
}

/// A pass that groups ops into `fused` ops, one kernel each. Conforming
/// types say where a fusion starts and which ops join it; matching,
/// legality, rewriting and remarks are shared (`run` below).
public protocol FusionPattern: Pass {
    /// The fused ops' `kernel` attribute: the codegen template that emits them.
    var kernel: String { get }
    /// The fusion anchored at top-level op `position`, nil when that op does
    /// not start this pattern.
    func match(at position: Int, in index: GraphIndex, context: PassContext) -> FusionMatch?
}

extension FusionPattern {
    public func run(_ graph: Graph, _ context: PassContext) throws -> Graph {
        var graph = graph
        var position = 0
        while position < graph.ops.count {
            let index = GraphIndex(graph)
            let anchor = graph.ops[position]
            guard anchor.kind != "fused", let found = match(at: position, in: index, context: context) else {
                position += 1
                continue
            }
            switch found {
            case .decline(let reason):
                context.notTaken(kernel, at: anchor.location, because: reason)
                position += 1
            case .fuse(let members, let reason):
                if let blocker = Fusion.blocker(members, in: index) {
                    context.notTaken(kernel, at: anchor.location, because: blocker)
                    position += 1
                    continue
                }
                let fused = try Fusion.fuse(members, in: graph, kernel: kernel)
                graph = fused.graph
                context.count("kernels formed")
                context.count("ops fused", by: members.count)
                context.taken(kernel, at: anchor.location, because: reason)
                position = fused.position + 1
            }
        }
        return graph
    }
}

/// Rewrites a set of top-level ops into one `fused` op.
public enum Fusion {
    /// Why `members` cannot become one op placed where the last of them is,
    /// or nil: no op between them may read what they define, and fused ops
    /// do not nest.
    public static func blocker(_ members: [Int], in index: GraphIndex) -> String? {
        let sorted = members.sorted()
        guard let first = sorted.first, let last = sorted.last else { return "no ops to fuse" }
        let set = Set(sorted)
        if let nested = sorted.first(where: { index[$0].kind == "fused" }) {
            return "\(index.describe(index[nested].result)) is already in a fused kernel"
        }
        let defined = Set(sorted.flatMap { index[$0].results })
        for position in first ... last where !set.contains(position) {
            if let value = GraphIndex.operands(of: index[position]).first(where: defined.contains) {
                return "\(index[position].kind) \(index.describe(index[position].result)) sits between the members "
                    + "and reads \(index.describe(value))"
            }
        }
        return nil
    }

    /// Replaces `members` with one `fused` op at the last member's place.
    /// Member results read outside become the fused op's results, under
    /// their own names; the values inside are renamed `NAME.inner`.
    public static func fuse(_ members: [Int], in graph: Graph, kernel: String) throws
        -> (graph: Graph, position: Int) {
        let index = GraphIndex(graph)
        if let blocker = blocker(members, in: index) { throw SmeltError("cannot fuse: \(blocker)") }
        let sorted = members.sorted()
        let set = Set(sorted)
        let memberOps = sorted.map { graph.ops[$0] }
        let defined = Set(memberOps.flatMap(\.results))
        var operands: [ValueID] = []
        for value in memberOps.flatMap(GraphIndex.operands(of:)) where !defined.contains(value) && !operands.contains(value) {
            operands.append(value)
        }
        let escaping = memberOps.flatMap(\.results).filter { value in
            index.isOutput(value) || index.users(of: value).contains { !set.contains($0) }
        }
        var result = graph
        var renamed: [ValueID: ValueID] = [:]
        for value in escaping {
            let name = graph.name(of: value)
            result.values[value.index].name = name + ".inner"
            renamed[value] = result.addValue(name: name, type: graph.type(of: value))
        }
        let fusedOp = Op(kind: "fused", operands: operands, results: escaping.map { renamed[$0]! },
                         attributes: Attributes([("kernel", .string(kernel))]), location: memberOps[0].location,
                         region: Region(ops: memberOps, yields: escaping))
        var ops: [Op] = []
        var position = 0
        for (i, op) in graph.ops.enumerated() {
            if i == sorted.last {
                position = ops.count
                ops.append(fusedOp)
            } else if !set.contains(i) {
                var op = op
                op.operands = op.operands.map { renamed[$0] ?? $0 }
                if var region = op.region {
                    region.ops = region.ops.map { member in
                        var member = member
                        member.operands = member.operands.map { renamed[$0] ?? $0 }
                        return member
                    }
                    op.region = region
                }
                ops.append(op)
            }
        }
        result.ops = ops
        result.outputs = graph.outputs.map { renamed[$0] ?? $0 }
        return (result, position)
    }
}

extension GraphIndex {
    /// The format a weight value is stored in after quantization choices:
    /// its `quant` attribute, else its checkpoint dtype.
    public func weightFormat(_ value: ValueID) -> DType? {
        guard let position = producer(of: value, kind: "weight") else { return nil }
        let op = self[position]
        return op.attributes["quant"]?.symbolValue.flatMap(DType.init(rawValue:)) ?? graph.type(of: value).dtype
    }

    /// Stored bytes of a weight matrix in `weightFormat`.
    public func weightBytes(_ value: ValueID) -> Int? {
        guard let format = weightFormat(value), let n = graph.type(of: value).fixedElementCount else { return nil }
        return n / format.blockSize * format.blockBytes
    }

    /// Whether every op that reads `value` is one of `members` and it is no
    /// graph output: it can live inside their fused kernel.
    public func onlyRead(_ value: ValueID, by members: Set<Int>) -> Bool {
        !isOutput(value) && users(of: value).allSatisfy(members.contains)
    }
}
