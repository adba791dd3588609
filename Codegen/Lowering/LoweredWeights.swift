import SmeltArtifact
import SmeltIR
import SmeltModels

/// A weight as the kernels see it: its plan buffer, its packing and, for
/// matrices, its row windows (each within one texel-buffer binding).
struct LoweredWeight {
    /// One descriptor-sized piece of the weight: rows `rowStart ..< rowStart + rowCount`.
    struct Window {
        var rowStart: Int
        var rowCount: Int
        var slice: BufferSlice
    }

    var name: String
    var buffer: Int
    /// `"f32"` for vectors; `"<dtype>/<packing>"` (PackedWeight.packing) for matrices.
    var packing: String
    /// The row-record layout of a matrix; nil for vectors.
    var layout: PackedLayout?
    var rows: Int
    var columns: Int
    var windows: [Window]

    /// The stored dtype of a matrix's rows (the kernels' template choice).
    var dtype: DType { layout?.dtype ?? .f32 }
}

/// Packs weights into one blob, each 256-byte aligned: matrices as packed
/// row records in their stored format (`packWeight`: the matvec kernels
/// dequantize while they read), vectors (norm weights) as f32. A matrix
/// whose format or row length has no kernel is converted to f32 rows.
struct WeightPacker {
    static let alignment = 256
    var blob: [UInt8] = []
    /// Largest texel-buffer binding in bytes; bigger matrices get windows.
    let maxRange: Int
    let offsetAlignment: Int

    init(maxTexelBufferBytes: Int, offsetAlignment: Int = 16) {
        maxRange = maxTexelBufferBytes
        self.offsetAlignment = offsetAlignment
    }

    /// Packs `tensor`; `asF32` converts a matrix to f32 rows whatever its format.
    mutating func pack(_ tensor: WeightTensor, asF32: Bool = false,
                       into builder: inout PlanBuilder) throws -> LoweredWeight {
        while blob.count % Self.alignment != 0 { blob.append(0) }
        let offset = blob.count
        guard tensor.shape.count >= 2 else {
            let values = try tensor.dequantizedRows(0 ..< tensor.rowCount)
            values.withUnsafeBytes { blob.append(contentsOf: $0) }
            let buffer = builder.addBuffer(PlannedBuffer(name: tensor.name, role: .weight, byteSize: values.count * 4,
                                                         weightOffset: offset, packing: "f32"))
            return LoweredWeight(name: tensor.name, buffer: buffer, packing: "f32", layout: nil, rows: 1,
                                 columns: values.count, windows: [])
        }
        let packed = try Self.packMatrix(tensor, asF32: asF32)
        blob.append(contentsOf: packed.bytes)
        let name = asF32 ? tensor.name + ".f32" : tensor.name
        let buffer = builder.addBuffer(PlannedBuffer(name: name, role: .weight, byteSize: packed.bytes.count,
                                                     weightOffset: offset, packing: packed.packing))
        let windows = try packed.rowWindows(maxBytes: maxRange, offsetAlignment: offsetAlignment).map {
            LoweredWeight.Window(rowStart: $0.lowerBound, rowCount: $0.count,
                                 slice: BufferSlice(buffer: buffer, offset: $0.lowerBound * packed.rowStride,
                                                    size: $0.count * packed.rowStride))
        }
        return LoweredWeight(name: name, buffer: buffer, packing: packed.packing, layout: packed.layout,
                             rows: packed.rows, columns: packed.cols, windows: windows)
    }

    /// The matrix in its own format when a kernel reads it, else as f32.
    private static func packMatrix(_ tensor: WeightTensor, asF32: Bool) throws -> PackedWeight {
        if !asF32, (try? PackedLayout(dtype: tensor.dtype, cols: tensor.rowLength)) != nil {
            return try packWeight(tensor, for: .rowPerInvocation)
        }
        guard tensor.rowLength % 4 == 0 else {
            throw SmeltError("weight '\(tensor.name)': rows of \(tensor.rowLength) \(tensor.dtype) values have "
                + "no matvec kernel (f32 rows must be a multiple of 4 long)")
        }
        let values = try tensor.dequantizedRows(0 ..< tensor.rowCount)
        return try values.withUnsafeBytes { bytes in
            try packWeight(WeightTensor(name: tensor.name, dtype: .f32, shape: [tensor.rowCount, tensor.rowLength],
                                        bytes: bytes, owner: nil), for: .rowPerInvocation)
        }
    }
}
