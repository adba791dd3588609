import SmeltArtifact

/// The dispatches of a prefill-like list that serve only a chunk's later
/// tokens (`PlannedDispatch.firstToken`: matmul tiles, which have no early
/// exit). They are recorded as indirect dispatches whose workgroup counts
/// `arguments` holds, 16 bytes each; before each chunk the host writes the
/// counts: none for a tile past the chunk's tokens.
final class TileGates {
    struct Gate {
        var groups: [Int]
        var firstToken: Int
    }

    let gates: [Gate]
    let arguments: Buffer
    /// The next gate `indirect` hands out while a list is recorded.
    private var next = 0

    init(_ list: [PlanCommand], allocator: MemoryAllocator, label: String) throws {
        gates = list.compactMap { command in
            guard case .dispatch(let d) = command, let first = d.firstToken else { return nil }
            return Gate(groups: d.groups, firstToken: first)
        }
        arguments = try allocator.makeBuffer(size: max(16, gates.count * 16), label: label)
        _ = try open(forChunkOf: Int.max)
    }

    /// For `VulkanRuntime.record`, called for the list's dispatches in
    /// order: a gated dispatch's arguments.
    func indirect(_ d: PlannedDispatch) -> (Buffer, Int)? {
        guard d.firstToken != nil, next < gates.count else { return nil }
        defer { next += 1 }
        return (arguments, next * 16)
    }

    /// Writes the counts for a chunk of `count` tokens; returns how many
    /// tiles it skips.
    func open(forChunkOf count: Int) throws -> Int {
        guard !gates.isEmpty else { return 0 }
        try arguments.write(gates.flatMap { gate -> [UInt32] in
            let g = gate.groups + [1, 1, 1]
            return [count > gate.firstToken ? UInt32(g[0]) : 0, UInt32(g[1]), UInt32(g[2]), 0]
        })
        return gates.filter { count <= $0.firstToken }.count
    }
}
