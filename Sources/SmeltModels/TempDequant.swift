import SmeltIR
extension WeightTensor {
    public func dequantized() throws -> [Float] {
        guard dtype == .f32 else { throw SmeltError("pending") }
        return Array(bytes.bindMemory(to: Float.self))
    }
}
