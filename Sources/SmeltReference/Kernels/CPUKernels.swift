import Foundation

/// The numerical CPU kernels the reference interpreter calls, all in fp32.
///
/// Conventions shared by every kernel:
/// - Tensors are row-major, outermost dimension first, and passed as flat
///   `UnsafeBufferPointer<Float>` (inputs) / `UnsafeMutableBufferPointer<Float>`
///   (outputs) with their shape as separate parameters. Each buffer must hold
///   exactly the elements its shape needs; anything else throws
///   `KernelError.shapeMismatch` naming the operand.
/// - Outputs may alias inputs only where a kernel's documentation says so.
/// - The heavy kernels (matmul, attention) split their work over the machine's
///   cores with `DispatchQueue.concurrentPerform`; every output element is
///   written by exactly one worker and the reduction order inside it does not
///   depend on the number of workers, so results are bit-identical from run
///   to run and between machines with the same build and math library.
/// - `[Float]` conveniences in `CPUKernels+Arrays.swift` wrap the pointer
///   forms for tests and small callers.
public enum CPUKernels {}

/// Splitting work over cores.
enum Parallel {
    /// Worker count, fixed at first use. Splitting into more chunks than
    /// this (see `forEachChunk`) balances uneven chunks and shared cores.
    static let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body` on disjoint ranges that together cover `0..<count`.
    ///
    /// `grain` is the smallest range worth handing to another thread; below
    /// `2 * grain` items everything runs on the calling thread, which keeps
    /// small (test-sized) problems free of threading overhead. Ranges are
    /// contiguous and in order within each chunk, and each index is visited
    /// exactly once.
    static func forEachChunk(count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let grain = max(1, grain)
        let chunks = min(workers * 4, count / grain)
        guard workers > 1, chunks >= 2 else {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            if start < end { body(start..<end) }
        }
    }
}
