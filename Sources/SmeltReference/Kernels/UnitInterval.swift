import SmeltModels

/// A uniform Double in [0, 1) from the top 53 bits of one draw. Written out
/// (not `Double.random(in:using:)`) so the mapping is ours and stable across
/// Swift versions.
@inline(__always)
func unitInterval<G: RandomNumberGenerator>(_ rng: inout G) -> Double {
    Double(rng.next() >> 11) * 0x1p-53
}
