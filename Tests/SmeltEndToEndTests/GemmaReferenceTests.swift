import Foundation
import Testing
import SmeltEngine
import SmeltIR
import SmeltReference

/// The reference interpreter against ../shared/reference/gemma3-270m under
/// the rules of its README ("What matches means", float32 rules 1-3).
@Suite(.enabled(if: !skipModelTests, "SMELT_SKIP_MODEL_TESTS=1"))
struct GemmaReferenceTests {
    static let promptIDs = ["P1", "P2", "P3", "P7", "P8"]

    func prompt(_ id: String) throws -> GreedyReference.Prompt {
        let reference = try GreedyReference.load()
        guard let prompt = reference.prompts.first(where: { $0.id == id }) else {
            throw SmeltError("prompt \(id) not in greedy.json")
        }
        return prompt
    }

    /// The file covers exactly the prompts these tests name.
    @Test func everyReferencePromptIsTested() throws {
        #expect(try GreedyReference.load().prompts.map(\.id).sorted() == Self.promptIDs)
    }

    /// Tokenizing the prompt text gives the reference prompt ids.
    @Test(arguments: promptIDs) func promptTokenizes(id: String) throws {
        let p = try prompt(id)
        let tokenizer = try SharedGemma.loaded.get().requireTokenizer()
        #expect(tokenizer.encode(p.prompt, addBOS: true, parseSpecial: p.parseSpecial) == p.promptIDs)
    }

    /// Rule 1: free-running greedy ids equal `exact_greedy_ids` up to the
    /// first step whose exact top-2 gap is below 0.05.
    @Test(arguments: promptIDs) func greedyMatchesExactMath(id: String) throws {
        let p = try prompt(id)
        let model = try SharedGemma.reference.get().model
        let compared = p.exactGap12.firstIndex { $0 < 0.05 } ?? p.exactGreedyIDs.count
        let generation = try Generator(backend: ReferenceBackend(model: model))
            .generate(prompt: p.promptIDs, maxTokens: compared)
        #expect(generation.tokens == Array(p.exactGreedyIDs.prefix(compared)), "compared \(compared) steps")
        #expect(compared >= 8, "the reference should allow a meaningful comparison")
    }

    /// Rule 2: first-step logits within 0.05 (max abs) of exact math.
    @Test(arguments: ["P1", "P7"]) func firstStepLogitsMatchExactMath(id: String) throws {
        let p = try prompt(id)
        let expected = try GreedyReference.logits("numpy_ref_first_step_\(id).f32")
        let logits = try SharedGemma.reference.get().model.makeSession().step(p.promptIDs, rows: .last)
        #expect(logits.count == expected.count)
        let maxDiff = zip(logits, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(maxDiff < 0.05, "max |logit - exact| = \(maxDiff)")
    }

    /// Rule 3: teacher-forced on llama.cpp's sequence, the argmax equals its
    /// token at every step whose gap is at least 1.0, and the top-5 logits
    /// are within 1.5 of its own. The default pipeline's graph gives the
    /// unfused graph's logits (same math, summed in the same order).
    @Test(arguments: promptIDs) func teacherForcedMatchesLlamaCpp(id: String) throws {
        let p = try prompt(id)
        let vocab = 262_144
        func teacherForced(_ model: ReferenceModel) throws -> [Float] {
            let session = model.makeSession()
            return try session.step(p.promptIDs, rows: .last)
                + session.step(Array(p.generatedIDs.dropLast()), rows: .all)
        }
        let rows = try teacherForced(SharedGemma.reference.get().model)
        let fused = try teacherForced(SharedGemma.defaultPipeline.get().model)
        let diff = zip(rows, fused).map { abs($0 - $1) }.max() ?? .infinity
        #expect(fused.count == rows.count && diff <= 1e-4, "\(id): max |default pipeline - unfused| = \(diff)")
        #expect(rows.count == p.steps.count * vocab)
        for (s, step) in p.steps.enumerated() {
            let logits = rows[(s * vocab) ..< ((s + 1) * vocab)]
            if step.gap12 >= 1.0 {
                #expect(argmax(logits) == step.token, "step \(s) argmax")
            }
            for entry in step.top5 {
                let ours = logits[logits.startIndex + Int(entry[0])]
                #expect(abs(Double(ours) - entry[1]) <= 1.5, "step \(s) id \(Int(entry[0])): \(ours) vs \(entry[1])")
            }
        }
    }
}

/// The index of the largest value, lowest on ties.
func argmax(_ values: ArraySlice<Float>) -> Int32 {
    var best = values.startIndex
    for i in values.indices where values[i] > values[best] { best = i }
    return Int32(best - values.startIndex)
}

@Suite(.enabled(if: !skipModelTests, "SMELT_SKIP_MODEL_TESTS=1"))
struct BenchPromptTests {
    /// The bench prompt is real tokenized text of exactly the asked length.
    @Test(arguments: [1, 64, 512, 1000]) func promptHasTheAskedLength(tokens: Int) throws {
        let tokenizer = try SharedGemma.loaded.get().requireTokenizer()
        let (ids, _) = Bench(promptTokens: tokens, generatedTokens: 2).prompt(tokenizer: tokenizer, vocabularySize: 262_144)
        #expect(ids.count == tokens)
        #expect(ids.first == tokenizer.bosID)
    }
}
