import Testing
import SmeltArtifact
import SmeltCodegen
import SmeltVulkan

/// The runtime refuses a plan it could not follow safely, with the plan's
/// own validation message, before creating anything on the device.
@Suite struct RuntimeValidationTests {
    private func plan() throws -> ExecutionPlan {
        let spec = KernelSpec.ropeF32
        let spirv = try ShaderCompiler().compile(try KernelGenerator.glsl(for: spec, library: .runtime), name: spec.name)
        let buffers = [ControlBlock.wordCount * 4, 64, 64].enumerated().map {
            PlannedBuffer(name: "b\($0.offset)", role: .activation, byteSize: $0.element)
        }
        let whole = buffers.indices.map { BufferSlice(buffer: $0, offset: 0, size: buffers[$0].byteSize) }
        let dispatch = PlannedDispatch(kernel: 0, bindings: whole,
                                       pushConstants: [1, 16, 16, 1, Float(10000).bitPattern], groups: [1, 1, 1],
                                       label: "rope", bytesMoved: 0)
        return ExecutionPlan(modelName: "validation", vocabularySize: 1, contextLength: 1, prefillChunk: 1,
                             kernels: [PlannedKernel(spec: spec, spirv: spirv)], buffers: buffers,
                             decode: [.dispatch(dispatch)], prefill: [.dispatch(dispatch)],
                             controlBuffer: 0, tokensBuffer: 0, logitsBuffer: 0, outputBuffer: 0)
    }

    private func refusal(_ plan: ExecutionPlan) throws -> String? {
        var message: String?
        try withValidatedDevice { device in
            do {
                _ = try [UInt8]().withUnsafeBytes { try VulkanRuntime(plan: plan, weights: $0, device: device) }
            } catch {
                message = "\(error)"
            }
        }
        return message
    }

    @Test func aSoundPlanIsAccepted() throws {
        let message = try refusal(try plan())
        #expect(message == nil, "\(message ?? "")")
    }

    @Test func aBindingPastItsBufferIsRefused() throws {
        var bad = try plan()
        guard case .dispatch(var d) = bad.decode[0] else { return }
        d.bindings[2].offset = 32
        bad.decode[0] = .dispatch(d)
        let message = try #require(try refusal(bad))
        #expect(message.contains("decode command 0 ('rope'): binding 2: bytes 32..<96 of the 64-byte buffer 'b2'"), "\(message)")
    }

    @Test func aGatedDecodeDispatchIsRefused() throws {
        var bad = try plan()
        guard case .dispatch(var d) = bad.decode[0] else { return }
        d.firstToken = 4
        bad.decode[0] = .dispatch(d)
        let message = try #require(try refusal(bad))
        #expect(message.contains("decode command 0 ('rope'): firstToken belongs to prefill and score dispatches"),
                "\(message)")
    }

    @Test func aPrefillTailPastTheListIsRefused() throws {
        var bad = try plan()
        bad.prefillTail = 2
        let message = try #require(try refusal(bad))
        #expect(message.contains("prefillTail is 2, outside the prefill list's 1 commands"), "\(message)")
    }
}
