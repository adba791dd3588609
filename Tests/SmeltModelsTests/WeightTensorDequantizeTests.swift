import SmeltIR
import SmeltModels
import Testing

/// Row-wise decoding of whole tensors, including the multithreaded path.
@Suite struct WeightTensorDequantizeTests {
    typealias S = QuantTestSupport

    /// A Q8_0 tensor whose element (r, c) is q(r, c)·d(r, c/32) for simple
    /// formulas, with its expected floats.
    static func q8Tensor(rows: Int, cols: Int) -> (WeightTensor, [Float], Holder) {
        let scales: [Float] = [0.5, 0.25, 2.0, 0.125]
        var bytes: [UInt8] = []
        var want: [Float] = []
        bytes.reserveCapacity(rows * cols / 32 * 34)
        want.reserveCapacity(rows * cols)
        for r in 0..<rows {
            for b in 0..<(cols / 32) {
                let d = scales[(r + b) % 4]
                bytes += S.le16(S.half[d]!)
                for j in 0..<32 {
                    let q = (r * 7 + (32 * b + j) * 3) % 255 - 127
                    bytes.append(UInt8(bitPattern: Int8(q)))
                    want.append(Float(q) * d)
                }
            }
        }
        let holder = Holder(bytes)
        let t = WeightTensor(name: "test.q8", dtype: .q8_0, shape: [rows, cols], bytes: holder.buffer, owner: holder)
        return (t, want, holder)
    }

    /// Owns heap bytes for a WeightTensor built in a test.
    final class Holder {
        let buffer: UnsafeRawBufferPointer
        init(_ bytes: [UInt8]) {
            let m = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
            m.copyMemory(from: bytes.withUnsafeBytes { UnsafeRawBufferPointer($0) })
            buffer = UnsafeRawBufferPointer(m)
        }
        deinit { buffer.deallocate() }
    }

    @Test func wholeTensorUsesEveryRowInOrder() throws {
        // 1,064,960 elements: above the threshold where work is split across cores.
        let (t, want, _) = Self.q8Tensor(rows: 1040, cols: 1024)
        #expect(try t.dequantized() == want)
    }

    @Test func rowRangesAndSingleRows() throws {
        let (t, want, _) = Self.q8Tensor(rows: 10, cols: 64)
        #expect(try t.dequantizedRows(3..<7) == Array(want[(3 * 64)..<(7 * 64)]))
        #expect(try t.dequantizeRow(9) == Array(want[(9 * 64)...]))
        #expect(try t.dequantizedRows(4..<4) == [])
        #expect(throws: DequantizeError.self) { try t.dequantizeRow(10) }
        #expect(throws: DequantizeError.self) { try t.dequantizedRows(-1..<2) }
    }

    @Test func inconsistentTensorsAreRefused() throws {
        let (t, _, holder) = Self.q8Tensor(rows: 2, cols: 64)
        // Row length not a whole number of blocks.
        let badRow = WeightTensor(name: "bad.row", dtype: .q8_0, shape: [4, 32 + 16], bytes: t.bytes, owner: holder)
        #expect(throws: DequantizeError.self) { try badRow.dequantized() }
        do {
            _ = try badRow.dequantized()
        } catch {
            #expect("\(error)".contains("bad.row") && "\(error)".contains("48"))
        }
        // Bytes too few for the shape.
        let short = WeightTensor(name: "short", dtype: .q8_0, shape: [3, 64], bytes: t.bytes, owner: holder)
        #expect(throws: DequantizeError.self) { try short.dequantized() }
        // Output buffer too small.
        var out = [Float](repeating: 0, count: 10)
        #expect(throws: DequantizeError.self) {
            try out.withUnsafeMutableBufferPointer { try t.dequantizeRows(0..<1, into: $0) }
        }
    }
}
