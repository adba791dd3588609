import SmeltIR
import SmeltModels

/// Seeded 64-bit LCG, so every failure reproduces.
struct SeededRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 11
    }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next() >> 20) }
    /// A float in [-1, 1).
    mutating func unit() -> Float { Float(Int64(next() % 2_000_000)) / 1_000_000 - 1 }
    /// Finite binary16 bits with magnitude in [2^(lo−15), 2^(hi−14)), either sign.
    mutating func half(exponents: ClosedRange<Int>) -> UInt16 {
        let exponent = UInt16(exponents.lowerBound + Int(next() % UInt64(exponents.count)))
        let sign = UInt16(next() & 1) << 15
        return sign | exponent << 10 | UInt16(next() & 0x3FF)
    }
}

/// Owns the bytes a `WeightTensor` points into.
final class ByteBox {
    let pointer: UnsafeMutableRawBufferPointer
    init(count: Int) {
        pointer = .allocate(byteCount: max(count, 1), alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0)
    }
    deinit { pointer.deallocate() }
}

/// A `[rows, cols]` tensor of random valid blocks: random quant bytes
/// (every bit pattern is a valid quant) and finite f16 scales, placed at
/// the offsets ggml-common.h gives each format.
func randomWeight(_ dtype: DType, rows: Int, cols: Int, seed: UInt64) -> WeightTensor {
    var rng = SeededRandom(state: seed)
    let blocks = rows * cols / dtype.blockSize
    let box = ByteBox(count: blocks * dtype.blockBytes)
    let bytes = box.pointer
    for i in 0..<bytes.count { bytes[i] = rng.byte() }
    func setHalf(_ offset: Int, _ bits: UInt16) {
        bytes[offset] = UInt8(bits & 0xFF)
        bytes[offset + 1] = UInt8(bits >> 8)
    }
    // Scale offsets inside a block; magnitudes 2^-7 … 2^-2, like real weights.
    let scaleOffsets: [Int] = switch dtype {
    case .q8_0, .q4_0, .q5_0: [0]
    case .q4_k, .q5_k: [0, 2]
    case .q6_k: [208]
    default: []
    }
    for b in 0..<blocks {
        for offset in scaleOffsets {
            setHalf(b * dtype.blockBytes + offset, rng.half(exponents: 8...12))
        }
    }
    if dtype == .f16 {
        for i in 0..<(rows * cols) { setHalf(2 * i, rng.half(exponents: 10...15)) }
    }
    if dtype == .f32 {
        for i in 0..<(rows * cols) { bytes.storeBytes(of: rng.unit().bitPattern, toByteOffset: 4 * i, as: UInt32.self) }
    }
    return WeightTensor(name: "w_\(dtype)_\(rows)x\(cols)", dtype: dtype, shape: [rows, cols],
                        bytes: UnsafeRawBufferPointer(bytes), owner: box)
}

func randomVector(count: Int, seed: UInt64) -> [Float] {
    var rng = SeededRandom(state: seed)
    return (0..<count).map { _ in rng.unit() }
}
