/// Free space of one memory block: sorted, non-overlapping, coalesced byte
/// ranges. First fit: model weights are allocated once and live for the
/// whole run, so fragmentation matters less than simplicity.
struct FreeList: Equatable {
    struct Range: Equatable {
        var offset: Int
        var size: Int
        var end: Int { offset + size }
    }

    let capacity: Int
    private(set) var ranges: [Range]

    init(capacity: Int) {
        self.capacity = capacity
        ranges = capacity > 0 ? [Range(offset: 0, size: capacity)] : []
    }

    var freeBytes: Int { ranges.reduce(0) { $0 + $1.size } }
    /// Whether nothing is allocated.
    var isUnused: Bool { ranges == [Range(offset: 0, size: capacity)] }

    /// Reserves `size` bytes at a multiple of `alignment` (a power of two);
    /// nil if no free range fits.
    mutating func allocate(size: Int, alignment: Int) -> Int? {
        precondition(size > 0 && alignment > 0 && alignment & (alignment - 1) == 0, "bad allocation request")
        for (i, range) in ranges.enumerated() {
            let start = (range.offset + alignment - 1) & ~(alignment - 1)
            guard start + size <= range.end else { continue }
            var replacement: [Range] = []
            if start > range.offset { replacement.append(Range(offset: range.offset, size: start - range.offset)) }
            if start + size < range.end { replacement.append(Range(offset: start + size, size: range.end - start - size)) }
            ranges.replaceSubrange(i...i, with: replacement)
            return start
        }
        return nil
    }

    /// Returns `size` bytes at `offset`, merging with free neighbours.
    mutating func release(offset: Int, size: Int) {
        let index = ranges.firstIndex { $0.offset > offset } ?? ranges.endIndex
        precondition(index == 0 || ranges[index - 1].end <= offset, "double free at offset \(offset)")
        precondition(index == ranges.endIndex || offset + size <= ranges[index].offset, "double free at offset \(offset)")
        ranges.insert(Range(offset: offset, size: size), at: index)
        if index + 1 < ranges.count, ranges[index].end == ranges[index + 1].offset {
            ranges[index].size += ranges[index + 1].size
            ranges.remove(at: index + 1)
        }
        if index > 0, ranges[index - 1].end == ranges[index].offset {
            ranges[index - 1].size += ranges[index].size
            ranges.remove(at: index)
        }
    }
}
