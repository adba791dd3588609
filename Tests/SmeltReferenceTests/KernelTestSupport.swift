import SmeltModels
import Testing

/// Test-only data generator (a 64-bit LCG, deliberately not the kernels'
/// SplitMix64) giving reproducible values in [-1, 1).
struct TestData {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 23) - 1
    }

    mutating func array(_ count: Int) -> [Float] {
        (0..<count).map { _ in next() }
    }
}

/// Expects `actual` and `expected` to agree element-wise within
/// `absolute + relative·|expected|`.
func expectClose(
    _ actual: [Float], _ expected: [Double], absolute: Double = 1e-6, relative: Double = 1e-5,
    _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what): length", sourceLocation: sourceLocation)
    var worst = 0.0, worstIndex = -1
    for i in 0..<min(actual.count, expected.count) {
        let excess = abs(Double(actual[i]) - expected[i]) - (absolute + relative * abs(expected[i]))
        if excess > worst || (excess.isNaN && worstIndex < 0) { worst = excess; worstIndex = i }
    }
    #expect(worstIndex < 0, "\(what): index \(worstIndex) is \(worstIndex < 0 ? 0 : actual[worstIndex]), expected \(worstIndex < 0 ? 0 : expected[worstIndex])", sourceLocation: sourceLocation)
}
