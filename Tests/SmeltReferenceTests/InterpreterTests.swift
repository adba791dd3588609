import Foundation
import Testing
import SmeltIR
import SmeltModels
import SmeltReference

private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Loads tiny-llama (seeded synthetic weights) as a reference model.
private func tinyLlama(context: Int = 64) throws -> ReferenceModel {
    let config = try ModelConfig.load(path: root.appendingPathComponent("configs/models/tiny-llama.yaml").path)
    let text = try String(contentsOfFile: config.graphPath, encoding: .utf8)
    let graph = try GraphParser.parse(text, file: config.graphPath).instantiate(config.environment)
    guard case .synthetic(let seed) = config.weights else { throw SmeltError("tiny-llama must be synthetic") }
    let store = try SyntheticWeightStore(graph: graph, seed: seed)
    return try ReferenceModel(graph: try bindWeights(graph, to: store), store: store, contextLength: context)
}

@Suite struct InterpreterTests {
    /// Prefilling T tokens gives, at every position, the logits that
    /// decoding them one at a time gives.
    @Test func prefillEqualsTokenByTokenDecode() throws {
        let model = try tinyLlama()
        let tokens: [Int32] = [1, 17, 250, 3, 99, 42, 7]
        let prefill = try model.makeSession().step(tokens, rows: .all)
        let session = model.makeSession()
        var decoded: [Float] = []
        for token in tokens { decoded += try session.step([token], rows: .all) }
        #expect(prefill.count == tokens.count * 256)
        let maxDiff = zip(prefill, decoded).map { abs($0 - $1) }.max() ?? .infinity
        #expect(maxDiff < 1e-4, "max |prefill - decode| = \(maxDiff)")
    }

    /// A prefill split into chunks equals one prefill.
    @Test func chunkedPrefillEqualsOnePrefill() throws {
        let model = try tinyLlama()
        let tokens: [Int32] = [5, 6, 7, 8, 9, 10]
        let whole = try model.makeSession().step(tokens, rows: .last)
        let session = model.makeSession()
        _ = try session.step(Array(tokens[0..<4]), rows: .last)
        let chunked = try session.step(Array(tokens[4...]), rows: .last)
        #expect(zip(whole, chunked).allSatisfy { abs($0 - $1) < 1e-4 })
    }

    /// The interpreter runs a small graph exactly as the arithmetic written
    /// out here says: embedding, RMSNorm, linear, SiLU-gated product.
    @Test func smallGraphMatchesHandComputation() throws {
        let text = """
        graph small {
          %tokens = input : i32[T]
          %positions = input : i32[T]
          %e = weight {name = "e", shape = [3, 2]}
          %g = weight {name = "g", shape = [2]}
          %w = weight {name = "w", shape = [2, 2]}
          %x = embedding %e, %tokens
          %n = rms_norm %x, %g {eps = 0.0}
          %y = linear %n, %w
          %s = silu %y
          %p = mul %s, %n
          %o = scale %p {factor = 2.0}
          output %o
        }
        """
        let graph = try GraphParser.parse(text, file: "small.graph").instantiate(.empty)
        let store = try SyntheticWeightStore(graph: graph, seed: 7)
        let model = try ReferenceModel(graph: try bindWeights(graph, to: store), store: store, contextLength: 4)
        let out = try model.makeSession().step([2], rows: .all)

        let e = try store.tensor(named: "e").dequantized(), g = try store.tensor(named: "g").dequantized()
        let w = try store.tensor(named: "w").dequantized()
        let x = [Double(e[4]), Double(e[5])]
        let rms = ((x[0] * x[0] + x[1] * x[1]) / 2).squareRoot()
        let n = [x[0] / rms * Double(g[0]), x[1] / rms * Double(g[1])]
        let y = [n[0] * Double(w[0]) + n[1] * Double(w[1]), n[0] * Double(w[2]) + n[1] * Double(w[3])]
        let expected = (0..<2).map { i in 2 * (y[i] / (1 + exp(-y[i]))) * n[i] }
        #expect(out.count == 2)
        for i in 0..<2 { #expect(abs(Double(out[i]) - expected[i]) < 1e-5) }
    }

    @Test func promptLongerThanContextIsAnError() throws {
        let model = try tinyLlama(context: 4)
        #expect(throws: SmeltError.self) { try model.makeSession().step([1, 2, 3, 4, 5]) }
    }

    @Test func tokenOutsideVocabularyIsAnError() throws {
        let model = try tinyLlama()
        #expect(throws: (any Error).self) { try model.makeSession().step([300]) }
    }

    /// Synthetic weights are a pure function of the seed and the names.
    @Test func syntheticWeightsAreDeterministic() throws {
        let a = try tinyLlama().makeSession().step([1, 2, 3])
        let b = try tinyLlama().makeSession().step([1, 2, 3])
        #expect(a == b)
    }
}
