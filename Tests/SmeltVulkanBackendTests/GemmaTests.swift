import Foundation
import Testing
import SmeltCodegen
import SmeltEngine
import SmeltIR
import SmeltPasses
@testable import SmeltReference
import SmeltVulkan

/// Max-abs tolerance of the Vulkan backend's Gemma-3 logits against the f32
/// reference interpreter on the same teacher-forced sequence: both dequantize
/// the weights exactly and compute in f32, so they differ only by summation
/// order. See docs/Vulkan.md.
let gemmaInterpreterTolerance: Float = 1e-3
/// The same with an f16 KV cache (keys and values rounded to f16; measured
/// 0.008 on P1, 0.014 on P7).
let gemmaF16CacheTolerance: Float = 0.025
/// The same with a q8_0 KV cache (keys and values in blocks of 32 signed
/// bytes with a scale; measured 0.51 on P1, 0.77 on P2, 0.43 on P3, 0.37 on
/// P7, 1.04 on P8: the size of llama.cpp's own distance from exact math).
let gemmaQ8CacheTolerance: Float = 1.1
/// The reference README's float32 rule 2: first-step logits against exact math.
let gemmaExactTolerance: Float = 0.05

/// Ground truth from ../shared/reference/gemma3-270m.
struct GreedyFile: Decodable {
    struct Step: Decodable {
        var token: Int32
        var gap12: Double
        /// [[id, logit]] from llama.cpp.
        var top5: [[Double]]
    }

    struct Prompt: Decodable {
        var id: String
        var prompt_ids: [Int32]
        var generated_ids: [Int32]
        var steps: [Step]
        var exact_greedy_ids: [Int32]
        var exact_gap12: [Double]
    }

    var prompts: [Prompt]

    static func load() throws -> GreedyFile {
        try JSONDecoder().decode(GreedyFile.self,
                                 from: Data(contentsOf: referenceDirectory.appendingPathComponent("greedy.json")))
    }

    /// `numpy_ref_first_step_<id>.f32` (exact math), when the reference has it.
    static func exactFirstStep(_ id: String) throws -> [Float]? {
        let url = referenceDirectory.appendingPathComponent("numpy_ref_first_step_\(id).f32")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try Data(contentsOf: url).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}

let referenceDirectory = packageRoot.deletingLastPathComponent()
    .appendingPathComponent("shared/reference/gemma3-270m")

var skipModelTests: Bool { ProcessInfo.processInfo.environment["SMELT_SKIP_MODEL_TESTS"] == "1" }

func gemmaPath() -> String {
    if let path = ProcessInfo.processInfo.environment["SMELT_GGUF"], !path.isEmpty { return path }
    return repoPath("models/gemma-3-270m-q4_k_m.gguf")
}

/// Every prompt of ../shared/reference/gemma3-270m through every pipeline
/// on Vulkan (validation layers on), under the rules of its README:
/// 1. free-running greedy ids (prefill, then the replayed decode list)
///    equal `exact_greedy_ids` up to the first step whose exact gap is
///    below 0.05 (the float32 rule);
/// 2. first-step logits within 0.05 of exact math (P1, P7);
/// 3. teacher-forced on llama.cpp's sequence (the score list), the argmax
///    is llama.cpp's token at every step with gap ≥ 1 and its top-5 logits
///    are within 1.5;
/// and every logit of that teacher-forced run is within
/// `gemmaInterpreterTolerance` of the reference interpreter running the
/// unfused graph on the same tokens.
@Suite(.disabled(if: skipModelTests, "SMELT_SKIP_MODEL_TESTS=1"))
struct GemmaTests {
    static let pipelines = ["none", "default"]

    @Test(arguments: pipelines) func everyPromptMeetsTheReference(pipeline: String) throws {
        let prompts = try GreedyFile.load().prompts
        #expect(prompts.map(\.id).sorted() == ["P1", "P2", "P3", "P7", "P8"])
        let unfused = try ModelLoader.load(gemmaPath())
        let (model, _) = try unfused.applying(PipelineOptions(pipeline: try Pipeline.load(pipeline)))
        let interpreter = try SharedInterpreter.rows.get()
        try withValidatedDevice { device in
            let backend = try VulkanBackend(model: model, device: device)
            #expect(backend.runtime.hasScoreList)
            if pipeline == "default" {
                let labels = backend.runtime.plan.decode.compactMap { if case .dispatch(let d) = $0 { d.label } else { nil } }
                for kernel in ["matvec_residual_norm", "qkv_rope", "gated_matvec"] {
                    #expect(labels.filter { $0.hasPrefix(kernel + " ") }.count >= 18, "decode list: \(kernel) per layer")
                }
            }
            for p in prompts {
                try check(p, on: backend, interpreterRows: try #require(interpreter[p.id]), label: "\(p.id)/\(pipeline)")
            }
        }
    }

    /// A compressed KV cache on the default pipeline, for P1 and P7 (the
    /// prompt past the sliding window) or, q8_0, every prompt: every logit within the cache
    /// type's tolerance of the f32 reference interpreter, and rules 1–3
    /// with rule 1 up to the first gap below twice that tolerance.
    /// - f16 (`--kv-cache f16`; select-kv-layout picks it past the
    ///   profile's budget) with decode attention split 8 ways over the keys
    ///   (GPU profiles split it; lavapipe runs it unsplit);
    /// - q8_0 (`--kv-cache q8_0`; picked where f16 is over the budget too)
    ///   as lavapipe runs it.
    @Test(arguments: [(DType.f16, 8), (.q8_0, 1)])
    func compressedCacheMeetsTheReference(dtype: DType, splits: Int) throws {
        let prompts = try GreedyFile.load().prompts.filter { dtype == .q8_0 || ["P1", "P7"].contains($0.id) }
        let (model, _) = try ModelLoader.load(gemmaPath())
            .applying(PipelineOptions(pipeline: try Pipeline.load("default"), kvCache: dtype))
        let interpreter = try SharedInterpreter.rows.get()
        let tolerance = dtype == .f16 ? gemmaF16CacheTolerance : gemmaQ8CacheTolerance
        try withValidatedDevice { device in
            let backend = try VulkanBackend(model: model, device: device, attentionSplits: splits)
            #expect(backend.runtime.plan.decode.contains { if case .dispatch(let d) = $0 { d.groups[1] == splits } else { false } })
            let element = try #require(KVCacheElement(rawValue: dtype.rawValue))
            let caches = backend.runtime.plan.buffers.filter { $0.role == .kvCache }
            #expect(caches.count == 36 && caches.allSatisfy {
                $0.byteSize == element.cacheBytes(elements: model.config.contextLength * 256)
            }, "one [context, 1 head, 256] cache per layer for keys and for values")
            for p in prompts {
                try check(p, on: backend, interpreterRows: try #require(interpreter[p.id]), label: "\(p.id)/kv-\(dtype)",
                          tolerance: tolerance)
            }
            guard dtype == .q8_0, let p = prompts.first(where: { $0.id == "P1" }) else { return }
            // The device stores what the interpreter stores: layer 0's caches,
            // whose inputs agree to the last bits, equal the interpreter's
            // element for element up to the last bit of a block's scale. Past
            // a few layers the two sums differ in the last bits and a value
            // near a rounding boundary lands one step apart (measured: a step
            // of 0.35 in layer 5; 0.14 on P1's logits), which is why the
            // tolerance above is against the f32 interpreter.
            let session = try model.referenceModel().makeSession()
            _ = try session.step(p.prompt_ids, rows: .last)
            try backend.reset(sampling: .greedy)
            _ = try backend.step(p.prompt_ids)
            let count = p.prompt_ids.count * 256, elements = model.config.contextLength * 256
            for (name, expected) in [("k_cache.0", session.keys[0]), ("v_cache.0", session.values[0])] {
                let index = try #require(backend.runtime.plan.buffers.firstIndex { $0.name == name })
                let words = try backend.runtime.buffer(index).read(UInt32.self, count: element.cacheBytes(elements: elements) / 4)
                let stored = Array(cacheValues(words, .q8_0, count: elements).prefix(count))
                let reference = Array(try #require(expected).prefix(count))
                let largest = reference.map(abs).max() ?? 0
                #expect(maxAbsDifference(stored, reference) <= largest * 1e-6, "\(name) after P1's prompt")
            }
        }
    }

    private func check(_ p: GreedyFile.Prompt, on backend: VulkanBackend, interpreterRows: [Float],
                       label: String, tolerance: Float = gemmaInterpreterTolerance) throws {
        let vocab = backend.vocabularySize
        try backend.reset(sampling: .greedy)
        var ids = [try backend.step(p.prompt_ids)]
        var rows = try backend.runtime.readLogits()
        if let exact = try GreedyFile.exactFirstStep(p.id) {
            let diff = maxAbsDifference(rows, exact)
            print("Gemma-3 \(label) first-step logits: max |vulkan - exact| = \(diff)")
            // Rule 2 is the float32 rule; a lower-precision cache adds its tolerance.
            let allowed = gemmaExactTolerance + (tolerance > gemmaInterpreterTolerance ? tolerance : 0)
            #expect(diff <= allowed, "\(label) rule 2: max |vulkan - exact| = \(diff)")
        }

        let compared = p.exact_gap12.firstIndex { $0 < max(0.05, 2 * Double(tolerance)) } ?? p.exact_gap12.count
        // A q8_0 cache's tolerance leaves rule 1 nothing to compare on prompts
        // whose first exact gap is small; rule 3 and the tolerance still hold.
        if tolerance <= gemmaF16CacheTolerance {
            #expect(compared >= 4, "\(label): the reference should allow a meaningful comparison")
        }
        // While the free run follows llama.cpp's tokens, the decode list's
        // logits are those of the teacher-forced rows.
        var decodeDiff: Float = 0, decodeCompared = 0
        // At least 8 decode steps, so the replayed decode list is checked
        // against the interpreter whichever rule 1 allows.
        while ids.count < max(compared, 8) {
            ids.append(try backend.step([ids.last!]))
            let s = ids.count - 1
            if ids[..<s].elementsEqual(p.generated_ids[..<s]) {
                let row = Array(interpreterRows[(s * vocab) ..< ((s + 1) * vocab)])
                decodeDiff = max(decodeDiff, maxAbsDifference(try backend.runtime.readLogits(), row))
                decodeCompared += 1
            }
        }
        #expect(ids.prefix(compared) == p.exact_greedy_ids.prefix(compared), "\(label) rule 1 over \(compared) steps")
        print("Gemma-3 \(label) decode-step logits (\(decodeCompared) steps): max |vulkan - interpreter| = \(decodeDiff)")
        #expect(decodeDiff <= tolerance, "\(label): decode steps, max |vulkan - interpreter| = \(decodeDiff)")

        try backend.runtime.setPosition(p.prompt_ids.count)
        rows += try backend.scoreLogits(Array(p.generated_ids.dropLast()))
        #expect(rows.count == p.steps.count * vocab)
        for (s, step) in p.steps.enumerated() {
            let logits = rows[(s * vocab) ..< ((s + 1) * vocab)]
            if step.gap12 >= 1.0 {
                #expect(argmaxIndex(logits) == step.token, "\(label) rule 3: step \(s) argmax")
            }
            for entry in step.top5 {
                let ours = logits[logits.startIndex + Int(entry[0])]
                #expect(abs(Double(ours) - entry[1]) <= 1.5,
                        "\(label) rule 3: step \(s) id \(Int(entry[0])): \(ours) vs llama.cpp \(entry[1])")
            }
        }
        let diff = maxAbsDifference(rows, interpreterRows)
        print("Gemma-3 \(label) teacher-forced logits: max |vulkan - interpreter| = \(diff)")
        #expect(diff <= tolerance, "\(label): max |vulkan - interpreter| = \(diff)")
    }
}

/// The reference interpreter's logits, per prompt, at the first generated
/// position and after each of llama.cpp's generated tokens but the last:
/// computed once for both pipelines.
enum SharedInterpreter {
    static let rows: Result<[String: [Float]], any Error> = Result {
        let model = try ModelLoader.load(gemmaPath()).referenceModel()
        var rows: [String: [Float]] = [:]
        for p in try GreedyFile.load().prompts {
            let session = model.makeSession()
            rows[p.id] = try session.step(p.prompt_ids, rows: .last)
                + session.step(Array(p.generated_ids.dropLast()), rows: .all)
        }
        return rows
    }
}

/// The index of the largest value, lowest on ties.
func argmaxIndex(_ values: ArraySlice<Float>) -> Int32 {
    var best = values.startIndex
    for i in values.indices where values[i] > values[best] { best = i }
    return Int32(best - values.startIndex)
}
