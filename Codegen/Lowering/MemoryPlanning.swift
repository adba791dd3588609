import SmeltArtifact

/// One command list as the lowering emitted it, with the buffers each
/// dispatch writes (the plan itself does not record them).
struct EmittedList {
    var commands: [PlanCommand]
    /// Per command: buffers it writes (empty for barriers).
    var writes: [Set<Int>]
}

/// Activation memory planning. Every activation gets its own buffer while
/// the graph is lowered; afterwards each buffer's live range in each list
/// (first to last command that binds it) is known, and buffers whose ranges
/// overlap in no list share one device buffer (largest first, first fit).
/// Lists never run at the same time and no activation carries from one
/// list to the next, so only ranges within a list matter; a buffer a list
/// reads before writing is live over that whole list. Sharing adds
/// write-after-read hazards, so the barriers of every list are placed
/// again from each dispatch's reads and writes.
enum MemoryPlanner {
    static func plan(buffers: [PlannedBuffer], lists: [EmittedList])
        -> (buffers: [PlannedBuffer], lists: [[PlanCommand]], remap: [Int], report: ActivationMemory) {
        let activations = buffers.indices.filter { buffers[$0].role == .activation }
        let ranges = lists.map { liveRanges($0) }
        func overlap(_ a: Int, _ b: Int) -> Bool {
            ranges.contains { list in
                guard let x = list[a], let y = list[b] else { return false }
                return x.overlaps(y)
            }
        }
        // Slots: the buffers sharing one device buffer.
        var slots: [[Int]] = []
        for buffer in activations.sorted(by: { (buffers[$0].byteSize, $1) > (buffers[$1].byteSize, $0) }) {
            if let slot = slots.firstIndex(where: { $0.allSatisfy { !overlap($0, buffer) } }) {
                slots[slot].append(buffer)
            } else {
                slots.append([buffer])
            }
        }
        var remap = Array(buffers.indices)
        var planned: [PlannedBuffer] = []
        var slotIndex: [Int: Int] = [:]
        for (i, slot) in slots.enumerated() { for member in slot { slotIndex[member] = i } }
        var slotBuffer: [Int: Int] = [:]
        for (old, buffer) in buffers.enumerated() {
            guard let slot = slotIndex[old] else {
                remap[old] = planned.count
                planned.append(buffer)
                continue
            }
            if let existing = slotBuffer[slot] {
                remap[old] = existing
                continue
            }
            let members = slots[slot]
            let names = members.map { buffers[$0].name }
            planned.append(PlannedBuffer(
                name: names.count == 1 ? names[0] : "\(names[0]) (+\(names.count - 1) sharing)", role: .activation,
                byteSize: members.map { buffers[$0].byteSize }.max() ?? 0))
            slotBuffer[slot] = planned.count - 1
            remap[old] = planned.count - 1
        }
        let rewritten = lists.map { placeBarriers($0, remap: remap) }
        let report = ActivationMemory(
            values: activations.count, buffers: slots.count,
            unsharedBytes: activations.reduce(0) { $0 + buffers[$1].byteSize },
            bytes: slots.reduce(0) { total, slot in total + (slot.map { buffers[$0].byteSize }.max() ?? 0) })
        return (planned, rewritten, remap, report)
    }

    /// Per buffer, the commands from its first to its last use; the whole
    /// list when its first use reads it.
    private static func liveRanges(_ list: EmittedList) -> [Int: ClosedRange<Int>] {
        var ranges: [Int: ClosedRange<Int>] = [:]
        var liveIn: Set<Int> = []
        for (i, command) in list.commands.enumerated() {
            guard case .dispatch(let d) = command else { continue }
            for buffer in Set(d.bindings.map(\.buffer)) {
                if let range = ranges[buffer] {
                    ranges[buffer] = range.lowerBound ... i
                } else {
                    ranges[buffer] = i ... i
                    if !list.writes[i].contains(buffer) { liveIn.insert(buffer) }
                }
            }
        }
        for buffer in liveIn { ranges[buffer] = 0 ... max(0, list.commands.count - 1) }
        return ranges
    }

    /// The list's dispatches with buffers remapped and a barrier before
    /// each one that reads or writes what an earlier one wrote, or writes
    /// what an earlier one read, since the last barrier.
    private static func placeBarriers(_ list: EmittedList, remap: [Int]) -> [PlanCommand] {
        var out: [PlanCommand] = []
        var written: Set<Int> = [], read: Set<Int> = []
        for (i, command) in list.commands.enumerated() {
            guard case .dispatch(var d) = command else { continue }
            for b in d.bindings.indices { d.bindings[b].buffer = remap[d.bindings[b].buffer] }
            let touched = Set(d.bindings.map(\.buffer))
            let writes = Set(list.writes[i].map { remap[$0] })
            if !touched.isDisjoint(with: written) || !writes.isDisjoint(with: read) {
                out.append(.barrier)
                written = []
                read = []
            }
            written.formUnion(writes)
            read.formUnion(touched)
            out.append(.dispatch(d))
        }
        return out
    }
}
