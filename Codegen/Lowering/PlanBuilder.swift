import SmeltArtifact

/// Accumulates the buffers, kernels and command lists of an `ExecutionPlan`
/// while the graph is lowered, with the buffers each dispatch writes;
/// `MemoryPlanner` then shares activation buffers and places the barriers.
struct PlanBuilder {
    var buffers: [PlannedBuffer] = []
    var kernelSpecs: [KernelSpec] = []
    private var kernelIndex: [String: Int] = [:]
    private(set) var commands: [PlanCommand] = []
    /// Per command of the current list: the buffers it writes.
    private(set) var commandWrites: [Set<Int>] = []
    /// Dispatches and bytes moved added to the current list so far.
    private(set) var dispatchCount = 0
    private(set) var bytesMoved = 0

    mutating func addBuffer(_ buffer: PlannedBuffer) -> Int {
        buffers.append(buffer)
        return buffers.count - 1
    }

    mutating func kernel(_ spec: KernelSpec) -> Int {
        if let index = kernelIndex[spec.name] { return index }
        kernelSpecs.append(spec)
        kernelIndex[spec.name] = kernelSpecs.count - 1
        return kernelSpecs.count - 1
    }

    /// The current list with its write sets.
    var emitted: EmittedList { EmittedList(commands: commands, writes: commandWrites) }

    /// Starts a new command list (decode or prefill) with the buffers and
    /// kernels kept.
    mutating func beginList() {
        commands = []
        commandWrites = []
        dispatchCount = 0
        bytesMoved = 0
    }

    /// Adds a dispatch; `writes` are the indices into `bindings` the kernel
    /// writes.
    mutating func dispatch(_ spec: KernelSpec, bindings: [BufferSlice], writes: [Int], push: [UInt32],
                           groups: Int, label: String, bytesMoved: Int) {
        dispatch(spec, bindings: bindings, writes: writes, push: push, groups: [max(1, groups), 1, 1], label: label,
                 bytesMoved: bytesMoved)
    }

    /// As above with a 3-D grid.
    mutating func dispatch(_ spec: KernelSpec, bindings: [BufferSlice], writes: [Int], push: [UInt32],
                           groups: [Int], label: String, bytesMoved: Int, firstToken: Int? = nil) {
        let kernel = kernel(spec)
        commands.append(.dispatch(PlannedDispatch(kernel: kernel, bindings: bindings, pushConstants: push,
                                                  groups: groups.map { max(1, $0) }, label: label,
                                                  bytesMoved: bytesMoved, firstToken: firstToken)))
        commandWrites.append(Set(writes.map { bindings[$0].buffer }))
        dispatchCount += 1
        self.bytesMoved += bytesMoved
    }

    /// A whole-buffer slice.
    func whole(_ buffer: Int) -> BufferSlice {
        BufferSlice(buffer: buffer, offset: 0, size: buffers[buffer].byteSize)
    }
}

/// Float push-constant words.
extension Float {
    var word: UInt32 { bitPattern }
}

extension Int {
    var word: UInt32 { UInt32(truncatingIfNeeded: self) }
}
