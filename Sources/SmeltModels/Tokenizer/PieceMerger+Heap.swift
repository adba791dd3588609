extension PieceMerger {
    /// A candidate merge of two adjacent symbols, as queued in the heap.
    struct Pair {
        var score: Float
        var left: Int32
        var right: Int32
        var length: Int32
        var id: Int32

        /// Heap order: higher score first, then the leftmost pair.
        @inline(__always)
        func outranks(_ other: Pair) -> Bool {
            score > other.score || (score == other.score && left < other.left)
        }
    }

    /// Working memory of `mergeWithHeap`, reused between long words.
    struct HeapScratch {
        var prev: [Int32] = []
        var next: [Int32] = []
        var heap: [Pair] = []
    }

    /// Merges `symbols` in place for long runs: symbols form a linked list
    /// and candidate pairs wait in a binary heap, O(n log n). A queued pair
    /// goes stale once either symbol has merged elsewhere; its recorded
    /// length then no longer matches and it is dropped, as in llama.cpp.
    func mergeWithHeap(_ base: UnsafePointer<UInt8>, _ symbols: inout [Symbol], _ scratch: inout HeapScratch) {
        let count = symbols.count
        guard count > 1 else { return }
        scratch.prev = Array(-1 ..< Int32(count - 1))
        scratch.next = Array(1 ... Int32(count))
        scratch.next[count - 1] = -1
        scratch.heap.removeAll(keepingCapacity: true)

        for i in 1 ..< count { addPair(Int32(i - 1), Int32(i), base, symbols, &scratch.heap) }
        while let pair = popBest(&scratch.heap) {
            let left = Int(pair.left), right = Int(pair.right)
            let leftLength = symbols[left].length, rightLength = symbols[right].length
            if leftLength == 0 || rightLength == 0 || leftLength + rightLength != pair.length { continue }
            symbols[left].length = pair.length
            symbols[left].id = pair.id
            symbols[right].length = 0
            let after = scratch.next[right]
            scratch.next[left] = after
            if after >= 0 { scratch.prev[Int(after)] = pair.left }
            addPair(scratch.prev[left], pair.left, base, symbols, &scratch.heap)
            addPair(pair.left, after, base, symbols, &scratch.heap)
        }
        // Compact the surviving symbols (the list is in text order).
        var kept = 0
        var symbol: Int32 = 0
        while symbol >= 0 {
            symbols[kept] = symbols[Int(symbol)]
            kept += 1
            symbol = scratch.next[Int(symbol)]
        }
        symbols.removeLast(count - kept)
    }

    private func addPair(_ left: Int32, _ right: Int32, _ base: UnsafePointer<UInt8>,
                         _ symbols: [Symbol], _ heap: inout [Pair]) {
        if left < 0 || right < 0 { return }
        let candidate = pair(base, symbols[Int(left)], symbols[Int(right)])
        if candidate.id < 0 { return }
        let length = symbols[Int(left)].length + symbols[Int(right)].length
        push(Pair(score: candidate.score, left: left, right: right, length: length, id: candidate.id), &heap)
    }

    private func push(_ pair: Pair, _ heap: inout [Pair]) {
        heap.append(pair)
        heap.withUnsafeMutableBufferPointer { h in
            var child = h.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard h[child].outranks(h[parent]) else { break }
                h.swapAt(child, parent)
                child = parent
            }
        }
    }

    private func popBest(_ heap: inout [Pair]) -> Pair? {
        guard let last = heap.popLast() else { return nil }
        if heap.isEmpty { return last }
        return heap.withUnsafeMutableBufferPointer { h in
            let best = h[0]
            h[0] = last
            var parent = 0
            let count = h.count
            while true {
                let left = 2 * parent + 1
                if left >= count { break }
                var child = left
                if left + 1 < count, h[left + 1].outranks(h[left]) { child = left + 1 }
                guard h[child].outranks(h[parent]) else { break }
                h.swapAt(child, parent)
                parent = child
            }
            return best
        }
    }
}
