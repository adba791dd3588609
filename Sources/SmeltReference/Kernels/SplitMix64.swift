/// SplitMix64 (Steele, Lea & Flood, 2014): a tiny, seedable, well-mixed
/// 64-bit generator. Sampling must be reproducible from a seed on every
/// backend, and this is simple enough to port to a GPU shader bit-for-bit.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The whole generator state; advancing it by the golden-ratio constant
    /// and mixing gives the next output.
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A uniform Double in [0, 1) from the top 53 bits of one draw. Written out
/// (not `Double.random(in:using:)`) so the mapping is ours and stable across
/// Swift versions.
@inline(__always)
func unitInterval<G: RandomNumberGenerator>(_ rng: inout G) -> Double {
    Double(rng.next() >> 11) * 0x1p-53
}
