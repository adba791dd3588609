import Foundation
import SmeltModels

// Measures SentencePiece encode/decode throughput on the real Gemma-3
// vocabulary: `tokenizer-bench [model.gguf] [megabytes]`.

let arguments = CommandLine.arguments.dropFirst()
let modelPath = arguments.first ?? ProcessInfo.processInfo.environment["SMELT_GGUF"]
    ?? "models/gemma-3-270m-q4_k_m.gguf"
let megabytes = arguments.dropFirst().first.flatMap(Double.init) ?? 4

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

/// Seconds of CPU time this thread has used: steadier than wall time on a
/// machine shared with other jobs.
func threadCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Best of three (wall, cpu) seconds for `body`.
func measure(_ body: () -> Void) -> (wall: Double, cpu: Double) {
    var best = (wall: Double.infinity, cpu: Double.infinity)
    for _ in 0 ..< 3 {
        let cpu0 = threadCPUTime()
        let wall = seconds(ContinuousClock().measure(body))
        best = (min(best.wall, wall), min(best.cpu, threadCPUTime() - cpu0))
    }
    return best
}

let clock = ContinuousClock()
var tokenizer: SentencePieceTokenizer!
let loadTime = seconds(try clock.measure { tokenizer = try loadTokenizer(path: modelPath) })
print("vocabulary: \(tokenizer.vocabularySize) tokens, loaded in \(String(format: "%.2f", loadTime)) s")

let text = Corpus.mixed(bytes: Int(megabytes * 1_048_576))
let size = Double(text.utf8.count) / 1_048_576
print(String(format: "input: %.2f MiB of mixed prose, code, unicode and chat markup", size))

for parseSpecial in [false, true] {
    var ids: [Int32] = []
    let time = measure { ids = tokenizer.encode(text, addBOS: true, parseSpecial: parseSpecial) }
    print(String(format: "encode (parseSpecial: %@): %.1f MiB/s (%.1f MiB/s of CPU time), %.2f M tokens/s, "
                 + "%d tokens, %.1f bytes/token", parseSpecial ? "true" : "false", size / time.wall,
                 size / time.cpu, Double(ids.count) / time.wall / 1e6, ids.count,
                 Double(text.utf8.count) / Double(ids.count)))
    if !parseSpecial {
        var decoded = ""
        let decodeTime = measure { decoded = tokenizer.decode(ids) }
        print(String(format: "decode: %.1f MiB/s (%.1f MiB/s of CPU time), round trip %@", size / decodeTime.wall,
                     size / decodeTime.cpu, decoded == text ? "exact" : "DIFFERS"))
    }
}

// Worst cases: long runs that become one special-token match per byte
// position, one merge problem with no spaces, or byte fallback throughout.
let pathological: [(String, String)] = [
    ("1 MiB of spaces", String(repeating: " ", count: 1 << 20)),
    ("1 MiB of newlines", String(repeating: "\n", count: 1 << 20)),
    ("1 MiB of 'a', no spaces", String(repeating: "a", count: 1 << 20)),
    ("1 MiB of CJK, no spaces", String(repeating: "東京は日本の首都です", count: (1 << 20) / 30)),
    ("1 MiB of '<unused1'", String(repeating: "<unused1", count: (1 << 20) / 8)),
    ("1 MiB of emoji and unassigned code points", String(repeating: "🚀\u{0378}", count: (1 << 20) / 6)),
]
for (name, text) in pathological {
    var ids: [Int32] = []
    let time = measure { ids = tokenizer.encode(text, addBOS: false, parseSpecial: true) }
    let roundTrip = tokenizer.decode(ids) == text ? "round trip exact" : "round trip DIFFERS"
    print(String(format: "  %@: %.1f MiB/s, %d tokens, %@", name, Double(text.utf8.count) / 1_048_576 / time.wall,
                 ids.count, roundTrip))
}
