import Foundation

extension CPUKernels {
    /// Index of the largest logit; the lowest index wins ties. NaN entries are
    /// skipped. Throws for an empty row or one that is all NaN.
    public static func argmax(_ logits: UnsafeBufferPointer<Float>) throws -> Int {
        var best = -1
        for i in logits.indices where !logits[i].isNaN {
            if best < 0 || logits[i] > logits[best] { best = i }
        }
        guard best >= 0 else {
            throw KernelError.invalidArgument(
                kernel: "argmax", message: logits.isEmpty ? "the logits are empty" : "every logit is NaN")
        }
        return best
    }

    /// Draws a token from `logits`, reproducibly for a given generator state.
    ///
    /// - `temperature == 0`: greedy, exactly `argmax`, and no random number is
    ///   drawn. Otherwise, in this order:
    /// 1. candidates are the non-NaN logits ranked by logit, highest first
    ///    (ties: lower index first); `topK > 0` keeps the first `topK`;
    /// 2. `p_i ∝ exp((logit_i − logit_max) / temperature)` over the candidates;
    /// 3. `topP < 1` keeps the shortest ranked prefix whose probability mass
    ///    reaches `topP` (at least one candidate), renormalized;
    /// 4. one draw `u` in [0, 1) (top 53 bits of `rng.next()`) picks the first
    ///    candidate whose cumulative probability exceeds `u · total`.
    /// Probabilities and sums are Double.
    ///
    /// Throws for a negative or non-finite temperature, a negative `topK`, a
    /// `topP` outside (0, 1], or logits with no finite maximum.
    public static func sample<G: RandomNumberGenerator>(
        _ logits: UnsafeBufferPointer<Float>, temperature: Float, topK: Int = 0, topP: Float = 1, rng: inout G
    ) throws -> Int {
        let kernel = "sample"
        guard temperature >= 0, temperature.isFinite else {
            throw KernelError.invalidArgument(kernel: kernel, message: "temperature \(temperature) must be finite and ≥ 0")
        }
        guard topK >= 0 else {
            throw KernelError.invalidArgument(kernel: kernel, message: "topK \(topK) is negative (0 = off)")
        }
        guard topP > 0, topP <= 1 else {
            throw KernelError.invalidArgument(kernel: kernel, message: "topP \(topP) must be in (0, 1] (1 = off)")
        }
        if temperature == 0 { return try argmax(logits) }

        let candidates = rankedCandidates(logits, keep: topK)
        guard let top = candidates.first, logits[top].isFinite else {
            throw KernelError.invalidArgument(kernel: kernel, message: "the logits have no finite maximum")
        }
        let maximum = Double(logits[top])
        var probabilities = candidates.map { exp((Double(logits[$0]) - maximum) / Double(temperature)) }
        let mass = probabilities.reduce(0, +)
        var kept = probabilities.count
        if topP < 1 {
            var cumulative = 0.0
            for (i, p) in probabilities.enumerated() {
                cumulative += p
                if cumulative >= Double(topP) * mass {
                    kept = i + 1
                    break
                }
            }
            probabilities.removeLast(probabilities.count - kept)
        }
        let total = probabilities.reduce(0, +)
        let target = unitInterval(&rng) * total
        var cumulative = 0.0
        for (i, p) in probabilities.enumerated() {
            cumulative += p
            if cumulative > target { return candidates[i] }
        }
        return candidates[kept - 1]  // only reachable through rounding at the very end
    }
}

/// Indices of the non-NaN logits ranked best first (higher logit, then lower
/// index); with `keep > 0` only the best `keep`, selected with a bounded
/// min-heap so a top-40 over a 262144-entry vocabulary costs one pass.
func rankedCandidates(_ logits: UnsafeBufferPointer<Float>, keep: Int) -> [Int] {
    func better(_ a: Int, _ b: Int) -> Bool {
        logits[a] > logits[b] || (logits[a] == logits[b] && a < b)
    }
    let valid = logits.indices.lazy.filter { !logits[$0].isNaN }
    guard keep > 0 else { return valid.sorted(by: better) }

    // heap[0] is the worst of the kept candidates.
    var heap: [Int] = []
    heap.reserveCapacity(keep)
    func siftDown(_ start: Int) {
        var i = start
        while true {
            let left = 2 * i + 1, right = left + 1
            var worst = i
            if left < heap.count, better(heap[worst], heap[left]) { worst = left }
            if right < heap.count, better(heap[worst], heap[right]) { worst = right }
            if worst == i { return }
            heap.swapAt(i, worst)
            i = worst
        }
    }
    for index in valid {
        if heap.count < keep {
            heap.append(index)
            var i = heap.count - 1
            while i > 0, better(heap[(i - 1) / 2], heap[i]) {
                heap.swapAt(i, (i - 1) / 2)
                i = (i - 1) / 2
            }
        } else if better(index, heap[0]) {
            heap[0] = index
            siftDown(0)
        }
    }
    return heap.sorted(by: better)
}
