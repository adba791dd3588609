import Foundation

/// Element-wise kernels. Every buffer has the same element count `n`, and
/// the output may be the same buffer as any input (each element is read
/// before it is written).
extension CPUKernels {
    /// GELU with the tanh approximation, as Gemma uses ("gelu_pytorch_tanh"):
    /// `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
    @inline(__always)
    public static func geluTanh(_ x: Float) -> Float {
        let sqrtTwoOverPi: Float = 0.797_884_560_802_865_4  // √(2/π)
        return 0.5 * x * (1 + tanh(sqrtTwoOverPi * (x + 0.044_715 * x * x * x)))
    }

    /// SiLU (swish): `x · sigmoid(x) = x / (1 + e^(−x))`.
    @inline(__always)
    public static func silu(_ x: Float) -> Float {
        x / (1 + exp(-x))
    }

    /// `out[i] = geluTanh(x[i])`.
    public static func geluTanh(_ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) throws {
        try checkSameCount(x.count, out.count, kernel: "gelu_tanh", operand: "out")
        for i in 0..<x.count { out[i] = geluTanh(x[i]) }
    }

    /// `out[i] = silu(x[i])`.
    public static func silu(_ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) throws {
        try checkSameCount(x.count, out.count, kernel: "silu", operand: "out")
        for i in 0..<x.count { out[i] = silu(x[i]) }
    }

    /// Gated GELU (GeGLU, Gemma's MLP): `out[i] = geluTanh(gate[i]) · up[i]`.
    public static func gatedGeluTanh(
        gate: UnsafeBufferPointer<Float>, up: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>
    ) throws {
        try checkSameCount(gate.count, up.count, kernel: "gated_gelu_tanh", operand: "up")
        try checkSameCount(gate.count, out.count, kernel: "gated_gelu_tanh", operand: "out")
        for i in 0..<gate.count { out[i] = geluTanh(gate[i]) * up[i] }
    }

    /// Gated SiLU (SwiGLU, Llama's MLP): `out[i] = silu(gate[i]) · up[i]`.
    public static func gatedSilu(
        gate: UnsafeBufferPointer<Float>, up: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>
    ) throws {
        try checkSameCount(gate.count, up.count, kernel: "gated_silu", operand: "up")
        try checkSameCount(gate.count, out.count, kernel: "gated_silu", operand: "out")
        for i in 0..<gate.count { out[i] = silu(gate[i]) * up[i] }
    }

    /// `out[i] = a[i] + b[i]` (residual connections).
    public static func add(
        _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>
    ) throws {
        try checkSameCount(a.count, b.count, kernel: "add", operand: "b")
        try checkSameCount(a.count, out.count, kernel: "add", operand: "out")
        for i in 0..<a.count { out[i] = a[i] + b[i] }
    }

    /// `out[i] = a[i] · b[i]`.
    public static func mul(
        _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>
    ) throws {
        try checkSameCount(a.count, b.count, kernel: "mul", operand: "b")
        try checkSameCount(a.count, out.count, kernel: "mul", operand: "out")
        for i in 0..<a.count { out[i] = a[i] * b[i] }
    }

    /// `out[i] = x[i] · factor` (e.g. Gemma's embedding scale √d_model).
    public static func scale(
        _ x: UnsafeBufferPointer<Float>, by factor: Float, into out: UnsafeMutableBufferPointer<Float>
    ) throws {
        try checkSameCount(x.count, out.count, kernel: "scale", operand: "out")
        for i in 0..<x.count { out[i] = x[i] * factor }
    }
}

/// Element-wise operands must match the first operand's length.
@inline(__always)
func checkSameCount(_ expected: Int, _ actual: Int, kernel: String, operand: String) throws {
    guard expected == actual else {
        throw KernelError.shapeMismatch(
            kernel: kernel, operand: operand, shape: "[n=\(expected)] (the first operand's length)",
            expected: expected, actual: actual)
    }
}
