import Foundation
import SmeltModels

/// Which tokens a sampler that follows `CPUKernels.sample`'s rule may pick
/// when every running mass it compares is known only to within `delta`
/// (relative to the mass it is compared with). Written out here in Double,
/// independently of both samplers, to tell a decisive draw (one possible
/// token: the device must pick exactly the host's) from one that rounding
/// can flip (the device must pick one of the few possible tokens).
struct SamplingOracle {
    let logits: [Float]
    /// Non-NaN indices, best first (higher logit, then lower index).
    let ranked: [Int]

    init(_ logits: [Float]) {
        self.logits = logits
        ranked = logits.indices.filter { !logits[$0].isNaN }.sorted {
            logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1)
        }
    }

    /// The host generator's uniform for its next draw (the top 53 bits).
    static func nextUniform(_ rng: SplitMix64) -> Double {
        var copy = rng
        return Double(copy.next() >> 11) * 0x1p-53
    }

    func possiblePicks(temperature: Float, topK: Int, topP: Float, u: Double, delta: Double) -> Set<Int> {
        let ranked = topK > 0 ? Array(self.ranked.prefix(topK)) : self.ranked
        guard let top = ranked.first else { return [] }
        let maximum = Double(logits[top])
        let p = ranked.map { exp((Double(logits[$0]) - maximum) / Double(temperature)) }
        var running: [Double] = []
        var sum = 0.0
        for value in p {
            sum += value
            running.append(sum)
        }
        let mass = sum

        // Every kept count the top-p rule could give.
        var keptCounts: [Int] = [ranked.count]
        if topP < 1 {
            let target = Double(topP) * mass, slack = 2 * delta * mass
            keptCounts = ranked.indices.filter { j in
                running[j] >= target - slack && (j == 0 || running[j - 1] < target + slack)
            }.map { $0 + 1 }
        }
        var picks: Set<Int> = []
        for kept in keptCounts {
            let total = running[kept - 1], target = u * total, slack = 2 * delta * total
            for j in 0 ..< kept where p[j] > 0 || j == kept - 1 {
                let start = j == 0 ? 0 : running[j - 1]
                if running[j] > target - slack, start <= target + slack { picks.insert(ranked[j]) }
            }
        }
        return picks
    }

    /// The device sampler's rounding, relative: f32 sums of at most
    /// n/64 + 64 + 16·13 + 256 terms (per-invocation bucket sums, the
    /// cross-invocation sum, the bucket scan over at most 13 passes, the
    /// ranked list) within γ = terms·2⁻²⁴; each probability within
    /// |x|·2⁻²² + 2⁻¹⁶ (the argument's rounding, the device's exp); the
    /// uniform has 24 of the host's 53 bits (2⁻²⁴).
    static func deviceDelta(candidates n: Int, maxArgument: Double) -> Double {
        let terms = Double(n / 64 + 64 + 16 * 13 + 256)
        return terms * 0x1p-24 + maxArgument * 0x1p-22 + 0x1p-16 + 0x1p-24
    }

    /// The largest |x| = |logit − max| / temperature over the non-NaN,
    /// finite logits.
    static func maxArgument(_ logits: [Float], temperature: Float) -> Double {
        let finite = logits.filter(\.isFinite)
        guard let hi = finite.max(), let lo = finite.min() else { return 0 }
        return (Double(hi) - Double(lo)) / Double(temperature)
    }
}
