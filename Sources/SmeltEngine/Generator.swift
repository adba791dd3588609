import Foundation
import SmeltIR

/// Times of one generation, in seconds.
public struct GenerationTimings: Sendable {
    public var prefill: Double = 0
    public var firstDecodeStep: Double = 0
    /// Every decode step after the prompt, in order.
    public var decodeSteps: [Double] = []

    public var decodeTokensPerSecond: Double {
        let total = decodeSteps.reduce(0, +)
        return total > 0 ? Double(decodeSteps.count) / total : 0
    }
}

/// The result of `Generator.generate`.
public struct Generation: Sendable {
    public var tokens: [Int32]
    public var timings: GenerationTimings
    public var stoppedAtEOS: Bool
}

/// Drives a backend: prefill the prompt, then decode token by token.
public struct Generator {
    public let backend: any InferenceBackend

    public init(backend: any InferenceBackend) { self.backend = backend }

    /// Generates up to `maxTokens` tokens after `prompt`. `onToken` sees each
    /// token as it is produced (for streaming) and may return false to stop.
    /// Generation stops early at any id in `stopTokens`.
    public func generate(prompt: [Int32], maxTokens: Int, sampling: SamplingParameters = .greedy,
                         stopTokens: Set<Int32> = [], onToken: (Int32) -> Bool = { _ in true }) throws -> Generation {
        guard !prompt.isEmpty else { throw SmeltError("the prompt is empty") }
        guard maxTokens >= 0 else { throw SmeltError("the number of tokens to generate must be >= 0") }
        let needed = prompt.count + max(maxTokens - 1, 0)
        guard needed <= backend.contextLength else {
            throw SmeltError("the prompt (\(prompt.count) tokens) plus \(maxTokens) generated tokens exceed the context length of \(backend.contextLength)",
                             hint: "shorten the prompt, generate fewer tokens, or raise context_length")
        }
        for id in prompt where id < 0 || Int(id) >= backend.vocabularySize {
            throw SmeltError("token id \(id) is outside the vocabulary (0 ..< \(backend.vocabularySize))")
        }
        try backend.reset(sampling: sampling)
        var timings = GenerationTimings()
        var tokens: [Int32] = []
        guard maxTokens > 0 else { return Generation(tokens: [], timings: timings, stoppedAtEOS: false) }

        var start = DispatchTime.now()
        var next = try backend.step(prompt)
        timings.prefill = seconds(since: start)
        while true {
            tokens.append(next)
            if stopTokens.contains(next) { return Generation(tokens: tokens, timings: timings, stoppedAtEOS: true) }
            guard onToken(next), tokens.count < maxTokens else { break }
            start = DispatchTime.now()
            next = try backend.step([next])
            let elapsed = seconds(since: start)
            if tokens.count == 1 { timings.firstDecodeStep = elapsed }
            timings.decodeSteps.append(elapsed)
        }
        return Generation(tokens: tokens, timings: timings, stoppedAtEOS: false)
    }
}

func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}
