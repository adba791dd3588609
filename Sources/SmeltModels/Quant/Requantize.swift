import SmeltIR

/// Converting a stored weight to another format, for the quantization
/// pass's choices. Targets are f32, f16 and Q8_0.
///
/// Q4_0 and Q5_0 convert to Q8_0 exactly: each block keeps its f16 scale
/// and its quants shifted to signed (q − 8, q − 16 fit in int8). Any other
/// source goes through f32 and is rounded once: Q8_0 with the block's
/// largest magnitude over 127 as scale (GGML's rule), or f16 round-to-nearest.
extension WeightTensor {
    /// The formats `converted(to:)` produces.
    public static let conversionTargets: [DType] = [.f32, .f16, .q8_0]

    /// Whether converting `dtype` to `target` loses nothing.
    public static func isExactConversion(from dtype: DType, to target: DType) -> Bool {
        dtype == target || target == .f32 || (target == .q8_0 && (dtype == .q4_0 || dtype == .q5_0))
    }

    /// This tensor stored as `target`; the same tensor when it already is.
    public func converted(to target: DType) throws -> WeightTensor {
        guard target != dtype else { return self }
        guard Self.conversionTargets.contains(target) else {
            throw DequantizeError("tensor '\(name)': cannot convert to \(target) "
                + "(targets: \(Self.conversionTargets.map(\.rawValue).joined(separator: ", ")))")
        }
        let rowBytes = try rowByteCount()
        guard let outRowBytes = target.byteCount(elements: rowLength) else {
            throw DequantizeError("tensor '\(name)': rows of \(rowLength) do not fill whole \(target) blocks")
        }
        var out = [UInt8](repeating: 0, count: outRowBytes * rowCount)
        if target == .q8_0, dtype == .q4_0 || dtype == .q5_0 {
            legacyToQ8_0(rowBytes: rowBytes, into: &out)
        } else {
            let values = try dequantized()
            out.withUnsafeMutableBytes { dst in
                switch target {
                case .f32: values.withUnsafeBytes { dst.copyMemory(from: $0) }
                case .f16:
                    for (i, v) in values.enumerated() { dst.storeBytes(of: Float16(v).bitPattern.littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
                default: Self.quantizeQ8_0(values, into: dst)
                }
            }
        }
        let storage = ConvertedBytes(out)
        return WeightTensor(name: name, dtype: target, shape: shape, bytes: storage.buffer, owner: storage)
    }

    /// Q4_0/Q5_0 blocks re-encoded as Q8_0 with the same scale.
    private func legacyToQ8_0(rowBytes: Int, into out: inout [UInt8]) {
        let blocks = rowCount * rowLength / 32
        let src = bytes
        let isQ5 = dtype == .q5_0
        let inBlock = dtype.blockBytes
        out.withUnsafeMutableBytes { dst in
            for b in 0 ..< blocks {
                let s = b * inBlock, d = b * 34
                dst[d] = src[s]
                dst[d + 1] = src[s + 1]
                let high = isQ5 ? UInt32(src[s + 2]) | UInt32(src[s + 3]) << 8 | UInt32(src[s + 4]) << 16
                    | UInt32(src[s + 5]) << 24 : 0
                let qs = s + (isQ5 ? 6 : 2)
                for l in 0 ..< 16 {
                    let byte = src[qs + l]
                    var lo = Int(byte & 0xF), hi = Int(byte >> 4)
                    if isQ5 {
                        lo |= Int((high >> UInt32(l)) & 1) << 4
                        hi |= Int((high >> UInt32(l + 16)) & 1) << 4
                    }
                    let offset = isQ5 ? 16 : 8
                    dst[d + 2 + l] = UInt8(bitPattern: Int8(lo - offset))
                    dst[d + 2 + 16 + l] = UInt8(bitPattern: Int8(hi - offset))
                }
            }
        }
    }

    /// GGML's Q8_0 rule: scale = max |x| / 127 (as f16), q = round(x / scale).
    static func quantizeQ8_0(_ values: [Float], into dst: UnsafeMutableRawBufferPointer) {
        for b in 0 ..< values.count / 32 {
            let block = values[(32 * b) ..< (32 * b + 32)]
            let amax = block.reduce(Float(0)) { max($0, abs($1)) }
            let scale = amax / 127
            let inverse: Float = scale > 0 ? 1 / scale : 0
            dst.storeBytes(of: Float16(scale).bitPattern.littleEndian, toByteOffset: 34 * b, as: UInt16.self)
            for (i, v) in block.enumerated() {
                let q = Int8(clamping: Int((v * inverse).rounded(.toNearestOrAwayFromZero)))
                dst[34 * b + 2 + i] = UInt8(bitPattern: q)
            }
        }
    }
}

/// Owns the bytes of a converted tensor (a `WeightTensor` points into memory its owner keeps alive).
final class ConvertedBytes: @unchecked Sendable {
    let storage: UnsafeMutableRawBufferPointer
    let count: Int
    init(_ bytes: [UInt8]) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 64)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        self.storage = storage
        count = bytes.count
    }
    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[0 ..< count]) }
    deinit { storage.deallocate() }
}
