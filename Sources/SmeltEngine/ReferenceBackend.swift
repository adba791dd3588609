import Foundation
import SmeltIR
import SmeltModels
import SmeltReference

/// The CPU reference interpreter as a backend: fp32, the correctness oracle.
public final class ReferenceBackend: InferenceBackend {
    public let name = "reference"
    public let model: ReferenceModel
    private var session: ReferenceSession
    private var rng = SplitMix64(seed: 0)
    private var sampling = SamplingParameters.greedy

    public init(model: ReferenceModel) {
        self.model = model
        self.session = model.makeSession()
    }

    public var contextLength: Int { model.contextLength }
    public var vocabularySize: Int { model.vocabularySize }
    public var position: Int { session.position }
    /// The interpreter streams every weight as f32 once per step.
    public var counters: BackendCounters {
        var counters = BackendCounters()
        counters.bytesPerToken = model.weightBytes
        counters.deviceName = "CPU (\(ProcessInfo.processInfo.activeProcessorCount) threads)"
        return counters
    }

    public func reset(sampling: SamplingParameters) throws {
        try sampling.validate()
        session.reset()
        self.sampling = sampling
        rng = SplitMix64(seed: sampling.seed)
    }

    public func step(_ tokens: [Int32]) throws -> Int32 {
        let logits = try session.step(tokens, rows: .last)
        return Int32(try CPUKernels.sample(logits, temperature: sampling.temperature, topK: sampling.topK,
                                           topP: sampling.topP, rng: &rng))
    }

    public func scoreLogits(_ tokens: [Int32]) throws -> [Float] {
        try session.step(tokens, rows: .all)
    }
}
