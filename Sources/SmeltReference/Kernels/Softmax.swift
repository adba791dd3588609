import Foundation

extension CPUKernels {
    /// Numerically stable softmax of each row, in place:
    /// `x[r, c] = exp(x[r, c] − max_r) / Σ_c exp(x[r, c] − max_r)`.
    ///
    /// `-inf` entries become exactly 0 (masked). A row with no finite entry
    /// has no distribution and throws, naming the row, rather than filling
    /// the row with NaN.
    public static func softmax(_ x: UnsafeMutableBufferPointer<Float>, rows: Int, cols: Int) throws {
        try checkCount(x.count, [("rows", rows), ("cols", cols)], kernel: "softmax", operand: "x")
        guard cols > 0 else { return }
        for r in 0..<rows {
            let row = UnsafeMutableBufferPointer(rebasing: x[(r * cols)..<((r + 1) * cols)])
            guard softmaxRow(row) else {
                throw KernelError.invalidArgument(
                    kernel: "softmax", message: "row \(r) has no finite value to normalize")
            }
        }
    }
}

/// Softmax of one row in place; false (row untouched) when its maximum is
/// not finite. The normalizer is summed in Double so long rows (a 262144-entry
/// vocabulary) do not drift.
@discardableResult
func softmaxRow(_ row: UnsafeMutableBufferPointer<Float>) -> Bool {
    var maximum = -Float.infinity
    for v in row where v > maximum { maximum = v }
    guard maximum.isFinite else { return false }
    var sum = 0.0
    for i in row.indices {
        let e = exp(row[i] - maximum)
        row[i] = e
        sum += Double(e)
    }
    let inverse = Float(1 / sum)  // sum ≥ 1: the maximum contributes exp(0)
    for i in row.indices { row[i] *= inverse }
    return true
}
