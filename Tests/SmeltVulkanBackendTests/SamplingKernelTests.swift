import Foundation
import Testing
import SmeltArtifact
import SmeltModels
import SmeltReference
import SmeltVulkan

/// The `sample` kernel against `CPUKernels.sample` with the same SplitMix64
/// seed. A draw is compared exactly when `SamplingOracle` finds it decisive
/// (no f32 rounding can flip it); otherwise the device's token must be one
/// of the few that rounding allows.
@Suite struct SamplingKernelTests {
    /// Logit sets: small and continuous; many exact ties (more than the
    /// kernel's 256-entry list at one value) with NaN and −∞, and a vocabulary
    /// that is not a multiple of 4; Gemma-sized, a peaked head over a long tail.
    enum Logits: String, CaseIterable, CustomTestStringConvertible {
        case random1000, ties5003, gemma262144
        var testDescription: String { rawValue }

        // The host sorts a Gemma-sized vocabulary for every top-k 0 draw:
        // fewer combinations there keep the test fast.
        var temperatures: [Float] { self == .gemma262144 ? [0.6, 1.7] : [0.6, 1, 1.7] }
        var topKs: [Int] { self == .gemma262144 ? [0, 40, 1000] : [0, 1, 40, 300, 1000] }
        var topPs: [Float] { [1, 0.9, 0.5] }

        var values: [Float] {
            switch self {
            case .random1000:
                return testValues(count: 1000, seed: 21).map { $0 * 4 }
            case .ties5003:
                return (0 ..< 5003).map { i -> Float in
                    if i % 997 == 5 { return .nan }
                    if i == 17 { return -.infinity }
                    return Float((i &* 7919) % 11) - 5
                }
            case .gemma262144:
                var values = testValues(count: 262_144, seed: 22).map { $0 * 7 - 5 }
                let head = testValues(count: 48, seed: 23)
                for (k, h) in head.enumerated() { values[(k * 5417 + 11) % values.count] = 11 + 3 * h }
                values[5417 + 11] = values[2 * 5417 + 11]  // a tie in the head
                values[3] = .nan
                return values
            }
        }
    }

    @Test(arguments: Logits.allCases)
    func sampledPicksMatchTheHost(_ set: Logits) throws {
        let logits = set.values
        let oracle = SamplingOracle(logits)
        var decisive = 0, draws = 0
        try withValidatedDevice { device in
            let rig = try SamplerRig(device: device, vocab: logits.count)
            var seed: UInt64 = 1000 * UInt64(Logits.allCases.firstIndex(of: set)!)
            for temperature in set.temperatures {
                for topK in set.topKs {
                    for topP in set.topPs {
                        seed += 1
                        var host = SplitMix64(seed: seed)
                        let result = try rig.sample(logits, temperature: temperature, topK: topK, topP: topP,
                                                    rngState: host.state, steps: 4)
                        let candidates = topK > 0 ? min(topK, oracle.ranked.count) : oracle.ranked.count
                        let delta = SamplingOracle.deviceDelta(
                            candidates: candidates,
                            maxArgument: SamplingOracle.maxArgument(logits, temperature: temperature))
                        let label = "T \(temperature) k \(topK) p \(topP) seed \(seed)"
                        for step in 0 ..< 4 {
                            let u = SamplingOracle.nextUniform(host)
                            let expected = try CPUKernels.sample(logits, temperature: temperature, topK: topK,
                                                                 topP: topP, rng: &host)
                            let picks = oracle.possiblePicks(temperature: temperature, topK: topK, topP: topP,
                                                             u: u, delta: delta)
                            let token = Int(result.tokens[step])
                            #expect(picks.contains(expected), "\(label): the oracle misses the host's \(expected)")
                            #expect(picks.contains(token),
                                    "\(label) step \(step): device \(token), host \(expected), possible \(picks.sorted())")
                            if picks.count == 1 {
                                decisive += 1
                                #expect(token == expected, "\(label) step \(step)")
                            }
                            draws += 1
                        }
                        #expect(result.rngState == host.state, "\(label): the generator advanced differently")
                        #expect(result.position == 4 && result.status == 0, "\(label)")
                    }
                }
            }
        }
        print("\(set.rawValue): \(decisive) of \(draws) draws decisive, all within rounding of the host")
        // The comparison is not vacuous: most draws are exact.
        #expect(decisive * 2 >= draws, "\(decisive) of \(draws) draws decisive")
    }

    /// Temperature 0: the first index of the largest logit (−0 ties +0,
    /// NaN never wins), no draw, position += count.
    @Test func greedyIsArgmax() throws {
        var large = testValues(count: 262_144, seed: 24).map { $0 - 2 }
        large[200_000] = 0
        large[150_001] = -0.0
        large[7] = .nan
        var tied = testValues(count: 999, seed: 25)
        tied[700] = 5
        tied[321] = 5
        tied[10] = .nan
        try withValidatedDevice { device in
            for logits in [large, tied] {
                let rig = try SamplerRig(device: device, vocab: logits.count)
                let result = try rig.sample(logits, temperature: 0, topK: 3, topP: 0.5, rngState: 77, steps: 3)
                let expected = Int32(try CPUKernels.argmax(logits))
                #expect(result.tokens == [expected, expected, expected])
                #expect(result.rngState == 77 && result.position == 3 && result.status == 0)
            }
        }
        #expect(try CPUKernels.argmax(large) == 150_001 && CPUKernels.argmax(tied) == 321)
    }

    /// The generator state after n sampled replays is the host's after n
    /// draws, across the 64-bit carry of the state's low word.
    @Test func generatorAdvancesLikeTheHost() throws {
        let logits = testValues(count: 64, seed: 26)
        try withValidatedDevice { device in
            let rig = try SamplerRig(device: device, vocab: logits.count)
            for start: UInt64 in [0, 0xFFFF_FFFF_0000_0000, 0x0123_4567_89AB_CDEF, .max] {
                var host = SplitMix64(seed: start)
                let result = try rig.sample(logits, temperature: 1, rngState: start, steps: 7)
                for _ in 0 ..< 7 { _ = host.next() }
                #expect(result.rngState == host.state, "from \(start)")
            }
        }
    }

    /// Nothing to sample: the status bit is set, no number is drawn, and
    /// the token is the greedy choice (0 when every logit is NaN).
    @Test func logitsWithoutAFiniteMaximumSetTheStatus() throws {
        var infinite = testValues(count: 40, seed: 27)
        infinite[9] = .infinity
        let cases: [(logits: [Float], temperature: Float, token: Int32)] = [
            ([Float](repeating: .nan, count: 40), 0, 0),
            ([Float](repeating: .nan, count: 40), 0.7, 0),
            ([Float](repeating: -.infinity, count: 40), 0.7, 0),
            (infinite, 0.7, 9),
        ]
        try withValidatedDevice { device in
            let rig = try SamplerRig(device: device, vocab: 40)
            for c in cases {
                let result = try rig.sample(c.logits, temperature: c.temperature, rngState: 5)
                #expect(result.status == 1 && result.tokens == [c.token] && result.rngState == 5)
                #expect(try rig.runtime.takeSamplerStatus() == 0, "reading the status clears it")
                var host = SplitMix64(seed: 5)
                #expect(throws: KernelError.self, "the host refuses these logits too") {
                    try CPUKernels.sample(c.logits, temperature: c.temperature, rng: &host)
                }
            }
            // Greedy with a +∞ logit is an ordinary argmax.
            let result = try rig.sample(infinite, temperature: 0, rngState: 5)
            #expect(result.status == 0 && result.tokens == [9])
        }
    }
}
