import Testing
import SmeltArtifact
@testable import SmeltCodegen

/// Activation sharing by live range, on hand-made lists.
@Suite struct MemoryPlanningTests {
    private func dispatch(_ buffers: [Int]) -> PlanCommand {
        .dispatch(PlannedDispatch(kernel: 0, bindings: buffers.map { BufferSlice(buffer: $0, offset: 0, size: 64) },
                                  pushConstants: [], groups: [1], label: "k", bytesMoved: 0))
    }

    private func activation(_ name: String, _ bytes: Int = 64) -> PlannedBuffer {
        PlannedBuffer(name: name, role: .activation, byteSize: bytes)
    }

    /// 0 writes a; 1 reads a, writes b; 2 reads x, writes c; 3 reads b and c.
    /// a and c never live at once, so they share; 2 then writes what 1
    /// read, which needs a barrier the unshared list did not have.
    @Test func disjointRangesShareAndGetAWriteAfterReadBarrier() {
        let buffers = [activation("a"), activation("b"), activation("c"),
                       PlannedBuffer(name: "x", role: .tokens, byteSize: 64)]
        let list = EmittedList(
            commands: [dispatch([0]), .barrier, dispatch([0, 1]), dispatch([3, 2]), .barrier, dispatch([1, 2])],
            writes: [[0], [], [1], [2], [], []])
        let planned = MemoryPlanner.plan(buffers: buffers, lists: [list])
        #expect(planned.report == ActivationMemory(values: 3, buffers: 2, unsharedBytes: 192, bytes: 128))
        #expect(planned.remap[0] == planned.remap[2])
        #expect(planned.remap[1] != planned.remap[0])
        #expect(planned.buffers.count == 3)
        #expect(planned.buffers[planned.remap[3]].role == .tokens)
        let shape = planned.lists[0].map { if case .barrier = $0 { "|" } else { "d" } }.joined()
        #expect(shape == "d|d|d|d")
    }

    /// A buffer a list reads before writing holds something from outside
    /// the list: it is live over the whole list and shares with nothing.
    @Test func readBeforeWriteIsLiveOverTheWholeList() {
        let buffers = [activation("early"), activation("carried"), activation("late")]
        let list = EmittedList(commands: [dispatch([0]), .barrier, dispatch([0]), .barrier, dispatch([2]),
                                          .barrier, dispatch([2, 1])],
                               writes: [[0], [], [], [], [2], [], []])
        let planned = MemoryPlanner.plan(buffers: buffers, lists: [list])
        #expect(planned.remap[1] != planned.remap[0] && planned.remap[1] != planned.remap[2])
        #expect(planned.remap[0] == planned.remap[2])
    }

    /// Ranges must be disjoint in every list, not just one.
    @Test func overlapInAnyListPreventsSharing() {
        let buffers = [activation("a"), activation("b", 32)]
        let apart = EmittedList(commands: [dispatch([0]), .barrier, dispatch([1])], writes: [[0], [], [1]])
        let together = EmittedList(commands: [dispatch([0, 1])], writes: [[0, 1]])
        #expect(MemoryPlanner.plan(buffers: buffers, lists: [apart]).report.buffers == 1)
        let planned = MemoryPlanner.plan(buffers: buffers, lists: [apart, together])
        #expect(planned.report.buffers == 2)
        #expect(planned.report.bytes == 96)
    }
}
