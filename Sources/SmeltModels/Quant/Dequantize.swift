import Foundation
import SmeltIR

/// Why stored bytes could not be decoded to floats: the sizes given do not
/// agree with the dtype's block geometry. The text names the tensor when
/// one is known.
public struct DequantizeError: Error, CustomStringConvertible, LocalizedError, Sendable {
    public let description: String
    public init(_ description: String) { self.description = "dequantize: " + description }
    public var errorDescription: String? { description }
}

/// Decodes `count` elements of `dtype` from `bytes` into the first `count`
/// floats of `out`.
///
/// `count` must be a whole number of blocks, `bytes` exactly the bytes those
/// blocks take, and `out` at least `count` long; anything else throws
/// before a byte is read.
public func dequantize(
    _ bytes: UnsafeRawBufferPointer, dtype: DType, count: Int, into out: UnsafeMutableBufferPointer<Float>
) throws {
    guard let needed = dtype.byteCount(elements: count) else {
        throw DequantizeError(
            "\(count) elements is not a whole number of \(dtype) blocks of \(dtype.blockSize)")
    }
    guard bytes.count == needed else {
        throw DequantizeError("\(count) \(dtype) elements take \(needed) bytes, but \(bytes.count) were given")
    }
    guard out.count >= count else {
        throw DequantizeError("output holds \(out.count) floats, \(count) needed")
    }
    guard count > 0, let src = bytes.baseAddress, let dst = out.baseAddress else { return }
    decodeBlocks(src, dtype: dtype, blocks: count / dtype.blockSize, into: dst)
}

/// The unchecked inner loop: `blocks` whole blocks from `src` to `dst`.
func decodeBlocks(_ src: UnsafeRawPointer, dtype: DType, blocks: Int, into dst: UnsafeMutablePointer<Float>) {
    let stride = dtype.blockBytes
    let n = dtype.blockSize
    switch dtype {
    case .f32:
        for i in 0..<blocks {
            dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        }
    case .i32:
        for i in 0..<blocks {
            dst[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
        }
    case .f16:
        for i in 0..<blocks { dst[i] = src.halfAsFloat(at: 2 * i) }
    case .bf16:
        for i in 0..<blocks {
            dst[i] = floatFromBFloat16Bits(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        }
    case .q8_0:
        for b in 0..<blocks { LegacyQuantBlocks.q8_0(src + b * stride, dst + b * n) }
    case .q5_0:
        for b in 0..<blocks { LegacyQuantBlocks.q5_0(src + b * stride, dst + b * n) }
    case .q4_0:
        for b in 0..<blocks { LegacyQuantBlocks.q4_0(src + b * stride, dst + b * n) }
    case .q4_k:
        for b in 0..<blocks { KQuantBlocks.q4_k(src + b * stride, dst + b * n) }
    case .q5_k:
        for b in 0..<blocks { KQuantBlocks.q5_k(src + b * stride, dst + b * n) }
    case .q6_k:
        for b in 0..<blocks { KQuantBlocks.q6_k(src + b * stride, dst + b * n) }
    }
}
