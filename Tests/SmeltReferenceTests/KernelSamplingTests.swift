import Foundation
import Testing
@testable import SmeltReference
import SmeltModels

@Suite("CPU kernels: argmax and sampling")
struct KernelSamplingTests {
    @Test("SplitMix64 reproduces the published sequence for seed 1234567")
    func splitMixReference() {
        // Rosetta Code, "Pseudo-random numbers/Splitmix64".
        var rng = SplitMix64(seed: 1_234_567)
        let first = (0..<5).map { _ in rng.next() }
        #expect(first == [
            6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
            4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
        ])
        var zero = SplitMix64(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
    }

    @Test("argmax takes the lowest index on ties and skips NaN")
    func argmax() throws {
        #expect(try CPUKernels.argmax([1, 3, 3, 2]) == 1)
        #expect(try CPUKernels.argmax([.nan, -1, -.infinity]) == 1)
        #expect(try CPUKernels.argmax([-.infinity, -.infinity]) == 0)
        #expect(throws: KernelError.self) { try CPUKernels.argmax([]) }
        #expect(throws: KernelError.self) { try CPUKernels.argmax([.nan]) }
    }

    @Test("temperature 0 is argmax and draws no random number")
    func greedy() throws {
        var rng = SplitMix64(seed: 42)
        #expect(try CPUKernels.sample([0.5, 2, 2, -1], temperature: 0, topK: 3, topP: 0.5, rng: &rng) == 1)
        #expect(rng == SplitMix64(seed: 42))
    }

    @Test("the same seed gives the same tokens; one draw per sample")
    func determinism() throws {
        var data = TestData(seed: 11)
        let logits = data.array(1000).map { $0 * 4 }
        func draws(seed: UInt64) throws -> [Int] {
            var rng = SplitMix64(seed: seed)
            return try (0..<50).map { _ in try CPUKernels.sample(logits, temperature: 0.8, topK: 40, topP: 0.9, rng: &rng) }
        }
        let a = try draws(seed: 2024)
        #expect(try draws(seed: 2024) == a)
        #expect(try draws(seed: 2025) != a)
        #expect(Set(a).count > 1)

        var rng = SplitMix64(seed: 5), advanced = SplitMix64(seed: 5)
        _ = try CPUKernels.sample(logits, temperature: 1, rng: &rng)
        _ = advanced.next()
        #expect(rng == advanced)
    }

    @Test("top-k = 1 is argmax, whatever the seed and temperature")
    func topKOne() throws {
        var data = TestData(seed: 12)
        for seed in 0..<20 {
            let logits = data.array(500)
            var rng = SplitMix64(seed: UInt64(seed))
            let expected = try CPUKernels.argmax(logits)
            #expect(try CPUKernels.sample(logits, temperature: 5, topK: 1, rng: &rng) == expected)
            #expect(try CPUKernels.sample(logits, temperature: 5, topP: 1e-6, rng: &rng) == expected)
        }
    }

    @Test("top-k keeps only the k best; ties rank the lower index first")
    func topKMembers() throws {
        let logits: [Float] = [0, 5, 1, 5, 4, -2, 5]
        var rng = SplitMix64(seed: 9)
        for _ in 0..<200 {
            let token = try CPUKernels.sample(logits, temperature: 1, topK: 2, rng: &rng)
            #expect(token == 1 || token == 3)  // index 6 ties at 5 but ranks third
        }
    }

    @Test("frequencies follow softmax(logits / T): p = 1/4, 3/4")
    func distribution() throws {
        // logits 0 and ln 3 at T = 1 → 1/4 and 3/4; at T = 0.5 → 1/10 and 9/10.
        let logits: [Float] = [0, Float(log(3.0))]
        var rng = SplitMix64(seed: 77)
        let n = 4000
        var ones = 0
        for _ in 0..<n where try CPUKernels.sample(logits, temperature: 1, rng: &rng) == 1 { ones += 1 }
        #expect(abs(Double(ones) / Double(n) - 0.75) < 0.03)
        ones = 0
        for _ in 0..<n where try CPUKernels.sample(logits, temperature: 0.5, rng: &rng) == 1 { ones += 1 }
        #expect(abs(Double(ones) / Double(n) - 0.9) < 0.03)
    }

    @Test("top-p keeps the shortest prefix reaching p")
    func topP() throws {
        // Probabilities 0.5, 0.3, 0.2 (logits are their logs): p = 0.7 keeps
        // the first two (0.5 < 0.7 ≤ 0.8), so index 2 never appears.
        let logits = [0.5, 0.3, 0.2].map { Float(log($0)) }
        var rng = SplitMix64(seed: 3)
        var seen = Set<Int>()
        for _ in 0..<300 { seen.insert(try CPUKernels.sample(logits, temperature: 1, topP: 0.7, rng: &rng)) }
        #expect(seen == [0, 1])
    }

    @Test("invalid sampling settings are refused")
    func invalidSettings() {
        var rng = SplitMix64(seed: 1)
        #expect(throws: KernelError.self) { try CPUKernels.sample([1, 2], temperature: -1, rng: &rng) }
        #expect(throws: KernelError.self) { try CPUKernels.sample([1, 2], temperature: 1, topK: -1, rng: &rng) }
        #expect(throws: KernelError.self) { try CPUKernels.sample([1, 2], temperature: 1, topP: 0, rng: &rng) }
        #expect(throws: KernelError.self) { try CPUKernels.sample([-.infinity], temperature: 1, rng: &rng) }
    }
}
