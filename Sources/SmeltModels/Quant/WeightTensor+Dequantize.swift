import Dispatch
import Foundation
import SmeltIR

/// Row-wise decoding of stored weights to fp32, for the reference
/// interpreter and for tests. Large requests are split across cores.
extension WeightTensor {
    /// Bytes one row takes in storage, after checking that the row length
    /// is a whole number of blocks and that `bytes` holds every row.
    public func rowByteCount() throws -> Int {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw DequantizeError("tensor '\(name)': shape \(shape) has a negative dimension")
        }
        guard let rowBytes = dtype.byteCount(elements: rowLength) else {
            throw DequantizeError(
                "tensor '\(name)': row length \(rowLength) is not a multiple of the \(dtype) block size \(dtype.blockSize)")
        }
        let (total, overflow) = rowBytes.multipliedReportingOverflow(by: rowCount)
        guard !overflow, total == bytes.count else {
            throw DequantizeError(
                "tensor '\(name)': \(rowCount) rows of \(rowBytes) bytes do not match its \(bytes.count) stored bytes")
        }
        return rowBytes
    }

    /// Decodes rows `rows` into `out` (row-major, `rows.count × rowLength`
    /// floats at its start). Work is spread over cores when there is enough.
    public func dequantizeRows(_ rows: Range<Int>, into out: UnsafeMutableBufferPointer<Float>) throws {
        let rowBytes = try rowByteCount()
        guard rows.lowerBound >= 0, rows.upperBound <= rowCount else {
            throw DequantizeError("tensor '\(name)': rows \(rows) are outside 0..<\(rowCount)")
        }
        let needed = rows.count * rowLength
        guard out.count >= needed else {
            throw DequantizeError("tensor '\(name)': output holds \(out.count) floats, \(needed) needed")
        }
        guard needed > 0, let src = bytes.baseAddress, let dst = out.baseAddress else { return }
        let rowLength = self.rowLength
        let dtype = self.dtype
        let blocksPerRow = rowLength / dtype.blockSize
        let first = rows.lowerBound

        // Below ~1M elements, thread start-up costs more than it saves.
        let chunks = needed < 1 << 20 ? 1 : min(rows.count, ProcessInfo.processInfo.activeProcessorCount * 4)
        let perChunk = (rows.count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * perChunk
            let hi = min(rows.count, lo + perChunk)
            guard lo < hi else { return }
            decodeBlocks(
                src + (first + lo) * rowBytes, dtype: dtype, blocks: (hi - lo) * blocksPerRow,
                into: dst + lo * rowLength)
        }
    }

    /// One row as floats (e.g. an embedding lookup).
    public func dequantizeRow(_ row: Int) throws -> [Float] {
        try dequantizedRows(row..<(row + 1))
    }

    /// Rows `rows` as floats, row-major.
    public func dequantizedRows(_ rows: Range<Int>) throws -> [Float] {
        _ = try rowByteCount()
        guard rows.lowerBound >= 0, rows.upperBound <= rowCount else {
            throw DequantizeError("tensor '\(name)': rows \(rows) are outside 0..<\(rowCount)")
        }
        var out = [Float](repeating: 0, count: rows.count * rowLength)
        try out.withUnsafeMutableBufferPointer { try dequantizeRows(rows, into: $0) }
        return out
    }

    /// The whole tensor as floats, row-major in `shape` order.
    public func dequantized() throws -> [Float] {
        try dequantizedRows(0..<rowCount)
    }
}
