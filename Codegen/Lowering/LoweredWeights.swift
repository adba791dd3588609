import SmeltArtifact
import SmeltIR
import SmeltModels

/// A weight as the kernels see it: its plan buffer, its packing and its
/// row windows (each at most maxStorageBufferRange bytes).
struct LoweredWeight {
    /// One descriptor-sized piece of the weight: rows `rowStart ..< rowStart + rowCount`.
    struct Window {
        var rowStart: Int
        var rowCount: Int
        var slice: BufferSlice
    }

    var name: String
    var buffer: Int
    /// "f16" (matrices, rows of f16) or "f32" (vectors).
    var packing: String
    var rows: Int
    var columns: Int
    var windows: [Window]

    var rowBytes: Int { columns * (packing == "f16" ? 2 : 4) }
    var byteSize: Int { rows * rowBytes }
}

/// Packs weights into one blob, each 256-byte aligned: matrices as f16
/// rows (dequantized from any stored type, so every loader dtype works),
/// vectors (norm weights) as f32.
struct WeightPacker {
    static let alignment = 256
    var blob: [UInt8] = []
    let maxRange: Int

    init(maxStorageBufferRange: Int) {
        maxRange = maxStorageBufferRange
    }

    mutating func pack(_ tensor: WeightTensor, into builder: inout PlanBuilder) throws -> LoweredWeight {
        let isMatrix = tensor.shape.count >= 2
        let rows = isMatrix ? tensor.shape[0] : 1
        let columns = isMatrix ? tensor.shape.dropFirst().reduce(1, *) : tensor.shape.reduce(1, *)
        let packing = isMatrix ? "f16" : "f32"
        while blob.count % Self.alignment != 0 { blob.append(0) }
        let offset = blob.count
        let elementBytes = isMatrix ? 2 : 4
        // Row blocks keep the f32 staging small for the 262k-row embedding.
        let block = max(1, (1 << 22) / max(1, columns))
        var start = 0
        while start < tensor.rowCount {
            let end = min(tensor.rowCount, start + block)
            let values = try tensor.dequantizedRows(start ..< end)
            if isMatrix {
                let halves = values.map { Float16($0).bitPattern }
                halves.withUnsafeBytes { blob.append(contentsOf: $0) }
            } else {
                values.withUnsafeBytes { blob.append(contentsOf: $0) }
            }
            start = end
        }
        let byteSize = blob.count - offset
        guard byteSize == rows * columns * elementBytes else {
            throw SmeltError("weight '\(tensor.name)': packed \(byteSize) bytes, expected \(rows)×\(columns)×\(elementBytes)")
        }
        let buffer = builder.addBuffer(PlannedBuffer(name: tensor.name, role: .weight, byteSize: byteSize,
                                                     weightOffset: offset, packing: packing))
        var weight = LoweredWeight(name: tensor.name, buffer: buffer, packing: packing, rows: rows, columns: columns,
                                  windows: [])
        weight.windows = try windows(for: weight)
        return weight
    }

    /// Splits rows so each window fits the descriptor range and starts at a
    /// multiple of the alignment.
    func windows(for weight: LoweredWeight) throws -> [LoweredWeight.Window] {
        let rowBytes = weight.rowBytes
        guard rowBytes <= maxRange else {
            throw SmeltError("weight '\(weight.name)': one row is \(rowBytes) bytes, more than the device's "
                + "maxStorageBufferRange \(maxRange)")
        }
        var rowsPerWindow = min(weight.rows, maxRange / rowBytes)
        if rowsPerWindow < weight.rows {
            while rowsPerWindow > 1, (rowsPerWindow * rowBytes) % Self.alignment != 0 { rowsPerWindow -= 1 }
        }
        var result: [LoweredWeight.Window] = []
        var start = 0
        repeat {
            let count = min(rowsPerWindow, weight.rows - start)
            result.append(.init(rowStart: start, rowCount: count,
                                slice: BufferSlice(buffer: weight.buffer, offset: start * rowBytes, size: count * rowBytes)))
            start += count
        } while start < weight.rows
        return result
    }
}
