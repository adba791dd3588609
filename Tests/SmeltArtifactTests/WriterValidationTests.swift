import Foundation
import SmeltArtifact
import Testing

/// The writer refuses a plan the runtime could not run, before writing.
@Suite struct WriterValidationTests {
    func writeError(_ plan: ExecutionPlan, weights: [UInt8] = Fixture.weights) throws -> String? {
        let path = try Fixture.temporaryPath()
        let message = errorMessage {
            try ArtifactWriter.write(to: path, manifest: Fixture.manifest, plan: plan, weights: weights,
                                     tokenizer: Fixture.tokenizer)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        return message
    }

    @Test func weightOutsideTheBlob() throws {
        var plan = Fixture.plan
        plan.buffers[1].weightOffset = 4000
        #expect(try writeError(plan)?.contains("weight buffer 1 'blk.0.attn_q': bytes 4000..<9000 are outside the 5128-byte weights section") == true)
    }

    @Test func bindingToMissingBufferOrKernel() throws {
        var plan = Fixture.plan
        plan.decode[0] = .dispatch(PlannedDispatch(kernel: 7, bindings: [], pushConstants: [], groups: [1],
                                                   label: "ghost", bytesMoved: 0))
        #expect(try writeError(plan)?.contains("decode command 0 ('ghost'): kernel 7 of 3") == true)
        plan = Fixture.plan
        plan.prefill[2] = .dispatch(PlannedDispatch(kernel: 0, bindings: [BufferSlice(buffer: 2, offset: 0, size: 4096),
                                                                           BufferSlice(buffer: 99, offset: 0, size: 4),
                                                                           BufferSlice(buffer: 2, offset: 0, size: 4)],
                                                    pushConstants: [], groups: [1], label: "q", bytesMoved: 0))
        #expect(try writeError(plan)?.contains("prefill command 2 ('q'): binding 1 names buffer 99") == true)
    }

    @Test func notSPIRV() throws {
        var plan = Fixture.plan
        plan.kernels[1].spirv = [1, 2, 3]
        #expect(try writeError(plan)?.contains("kernel 1 'rms_norm': not SPIR-V") == true)
    }

    @Test func mismatchedTokenizer() throws {
        var tokenizer = Fixture.tokenizer
        tokenizer.scores.removeLast()
        let path = try Fixture.temporaryPath()
        let message = errorMessage {
            try ArtifactWriter.write(to: path, manifest: Fixture.manifest, plan: Fixture.plan, weights: Fixture.weights,
                                     tokenizer: tokenizer)
        }
        #expect(message == "\(path): tokenizer: 10 tokens but 9 scores and 10 token types")
    }

    @Test func unwritableFolder() throws {
        let message = errorMessage {
            try ArtifactWriter.write(to: "/nonexistent-folder/x.smelt", manifest: Fixture.manifest, plan: Fixture.plan,
                                     weights: Fixture.weights, tokenizer: Fixture.tokenizer)
        }
        #expect(message?.hasPrefix("/nonexistent-folder/x.smelt: cannot create") == true)
    }
}
