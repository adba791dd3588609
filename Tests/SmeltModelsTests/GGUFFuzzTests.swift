import Foundation
import SmeltModels
import Testing

/// Mutation fuzzing of the GGUF parser: random byte flips, truncations,
/// inserted and overwritten integers (fixed seed). Every mutant must either
/// parse or throw a `GGUFError`; a crash, trap or other error fails.
@Suite struct GGUFFuzzTests {
    /// SplitMix64: small, fast and the same on every platform.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    /// Integers that tend to find bugs: boundaries, sizes near the file's,
    /// and small values.
    static func interesting(_ rng: inout Rng, fileSize: Int) -> UInt64 {
        switch rng.below(8) {
        case 0: return [0, 1, 2, 3, 4, 31, 32, 33, 255, 256, 65535, 65536][rng.below(12)]
        case 1: return [UInt64.max, UInt64.max - 1, 1 << 63, (1 << 63) - 1, 1 << 32, (1 << 32) - 1, 1 << 31][rng.below(7)]
        case 2: return UInt64(max(0, fileSize + rng.below(64) - 32))
        case 3: return UInt64(rng.below(16))
        default: return rng.next() >> UInt64(rng.below(64))
        }
    }

    static func mutate(_ bytes: inout [UInt8], _ rng: inout Rng) {
        let n = bytes.count
        switch rng.below(6) {
        case 0:  // flip bits of one byte
            guard n > 0 else { return }
            bytes[rng.below(n)] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
        case 1:  // truncate
            bytes.removeLast(rng.below(n + 1))
        case 2, 3:  // overwrite a u32 or u64 at a random offset
            let v = interesting(&rng, fileSize: n)
            let width = rng.below(2) == 0 ? 4 : 8
            guard n >= width else { return }
            let at = rng.below(n - width + 1)
            for i in 0..<width { bytes[at + i] = UInt8(truncatingIfNeeded: v >> UInt64(8 * i)) }
        case 4:  // insert an integer
            let v = interesting(&rng, fileSize: n)
            let width = [1, 4, 8][rng.below(3)]
            let at = rng.below(n + 1)
            bytes.insert(contentsOf: (0..<width).map { UInt8(truncatingIfNeeded: v >> UInt64(8 * $0)) }, at: at)
        default:  // delete a short run
            guard n > 0 else { return }
            let at = rng.below(n)
            bytes.removeSubrange(at..<min(n, at + 1 + rng.below(16)))
        }
    }

    enum Outcome { case parsed, refused, wrongError(String) }

    /// Parses `bytes`; on success also reads every tensor that is small
    /// enough, so the decode path sees mutated data too.
    static func exercise(_ bytes: [UInt8]) -> Outcome {
        let f: GGUFFile
        do {
            f = try GGUFFile(bytes: bytes)
        } catch is GGUFError {
            return .refused
        } catch {
            return .wrongError("\(error)")
        }
        for info in f.tensors {
            guard let t = try? f.tensor(named: info.name), t.elementCount <= 4096 else { continue }
            do {
                _ = try t.dequantized()
            } catch {
                return .wrongError("tensor '\(info.name)' passed the parser but failed to decode: \(error)")
            }
        }
        return .parsed
    }

    /// Runs `iterations` mutants of `seed`; returns how many parsed cleanly.
    static func fuzz(_ seedBytes: [UInt8], iterations: Int, seed: UInt64) -> Int {
        var rng = Rng(state: seed)
        var parsed = 0
        for i in 0..<iterations {
            var b = seedBytes
            for _ in 0...rng.below(3) { mutate(&b, &rng) }
            switch exercise(b) {
            case .parsed: parsed += 1
            case .refused: break
            case .wrongError(let problem):
                Issue.record("mutant \(i) (seed \(seed)): \(problem)")
                return parsed
            }
        }
        return parsed
    }

    @Test func syntheticFileSurvivesMutation() {
        let seed = GGUFTestWriter.sample(alignment: 64).build()
        let parsed = Self.fuzz(seed, iterations: 100_000, seed: 0x5EED_6609)
        // Some mutants (e.g. flipped metadata values) still parse; most do not.
        #expect(parsed > 0 && parsed < 100_000)
    }

    @Test func realModelHeaderSurvivesMutation() throws {
        guard !ModelPaths.skipModelTests else { return }
        let path = try ModelPaths.gguf()
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        let head = [UInt8](handle.readData(ofLength: 64 << 10))
        _ = Self.fuzz(head, iterations: 16_000, seed: 0x6E_77A3)
    }
}
