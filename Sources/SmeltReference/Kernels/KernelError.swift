/// Why a CPU kernel refused its inputs.
///
/// Kernels never trap on bad input: a buffer whose length does not match the
/// shape it was given, a token id outside the vocabulary or a position outside
/// the KV cache is reported with the kernel, the operand and the numbers
/// involved, so the interpreter can say which graph value was wrong.
public enum KernelError: Error, Equatable, CustomStringConvertible {
    /// `operand` holds `actual` elements but `shape` needs `expected`.
    case shapeMismatch(kernel: String, operand: String, shape: String, expected: Int, actual: Int)
    /// A scalar argument is outside its valid range (a negative size, a
    /// rotary dimension larger than the head, a temperature below zero, ...).
    case invalidArgument(kernel: String, message: String)
    /// `ids[index]` is not a row of the `vocabSize`-row embedding table.
    case tokenOutOfRange(id: Int, index: Int, vocabSize: Int)
    /// `positions[index]` is negative or not below `limit` (the number of
    /// valid KV-cache rows, or the cache capacity when writing).
    case positionOutOfRange(kernel: String, index: Int, position: Int, limit: Int)

    public var description: String {
        switch self {
        case let .shapeMismatch(kernel, operand, shape, expected, actual):
            return "\(kernel): '\(operand)' holds \(actual) elements but its shape \(shape) needs \(expected)"
        case let .invalidArgument(kernel, message):
            return "\(kernel): \(message)"
        case let .tokenOutOfRange(id, index, vocabSize):
            return "embedding: token id \(id) at index \(index) is outside the vocabulary (0..<\(vocabSize))"
        case let .positionOutOfRange(kernel, index, position, limit):
            return "\(kernel): position \(position) at index \(index) is outside 0..<\(limit)"
        }
    }
}

/// The element count of a shape; throws for a negative size or overflow.
func elementCount(_ dims: [(String, Int)], kernel: String, operand: String) throws -> Int {
    var count = 1
    for (name, size) in dims {
        guard size >= 0 else {
            throw KernelError.invalidArgument(kernel: kernel, message: "\(name) is \(size); sizes must not be negative")
        }
        let (product, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow else {
            throw KernelError.invalidArgument(kernel: kernel, message: "the shape of '\(operand)' overflows Int")
        }
        count = product
    }
    return count
}

/// Checks that a buffer holds exactly the elements its shape needs.
///
/// Exact equality (not "at least") is deliberate: a longer buffer almost always
/// means the caller passed the wrong value, and a caller that really wants a
/// prefix can pass `UnsafeBufferPointer(rebasing: buffer[..<n])`.
func checkCount(_ actual: Int, _ dims: [(String, Int)], kernel: String, operand: String) throws {
    let expected = try elementCount(dims, kernel: kernel, operand: operand)
    guard actual == expected else {
        let shape = "[" + dims.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + "]"
        throw KernelError.shapeMismatch(
            kernel: kernel, operand: operand, shape: shape, expected: expected, actual: actual)
    }
}
