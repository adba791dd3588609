import Testing
import SmeltIR
import SmeltPasses

/// The cache element type follows the profile's budget and `--kv-cache`.
@Suite struct SelectKVLayoutTests {
    /// Two layers of one 8-wide KV head: 2 · 2 · 8 · 4 = 128 bytes per token at f32.
    static let graph = """
        graph g {
          %positions = input : i32[T]
          %k = input : f32[T, 1, 8]
          %v = input : f32[T, 1, 8]
          %kc, %vc = kv_write %k, %v, %positions {layer = 0}
          %kc1, %vc1 = kv_write %k, %v, %positions {layer = 1}
          output %kc, %kc1
        }
        """

    private func dtypes(context: PassContext, headDim: Int = 8) throws -> [String] {
        let text = Self.graph.replacingOccurrences(of: "1, 8]", with: "1, \(headDim)]")
        let output = try PassManager(passes: [SelectKVLayout()]).run(try Graph.parse(text, file: "g"), context: context)
        return output.ops.filter { $0.kind == "kv_write" }.compactMap { $0.attributes["dtype"]?.symbolValue }
    }

    @Test func budgetDecides() throws {
        var profile = DeviceProfile.lavapipe
        profile.kvCacheBudget = 128 * 1000
        #expect(try dtypes(context: PassContext(profile: profile, contextLength: 1000)) == ["f32", "f32"])
        let long = PassContext(profile: profile, contextLength: 1001)
        #expect(try dtypes(context: long) == ["f16", "f16"])
        #expect(long.remarks.first?.reason.contains("over the lavapipe budget") == true)
        // Past twice the budget f16 no longer fits: q8_0 where the head size
        // is a multiple of 32 (9/32 of the f32 bytes), else f16 regardless.
        let longer = PassContext(profile: profile, contextLength: 2001)
        #expect(try dtypes(context: longer) == ["f16", "f16"])
        #expect(longer.remarks.first?.reason.contains("not multiples of 32 rule out q8_0") == true)
        profile.kvCacheBudget = 4 * 128 * 1000
        #expect(try dtypes(context: PassContext(profile: profile, contextLength: 2000), headDim: 32) == ["f16", "f16"])
        let quantized = PassContext(profile: profile, contextLength: 2001)
        #expect(try dtypes(context: quantized, headDim: 32) == ["q8_0", "q8_0"])
        #expect(quantized.remarks.first?.reason.contains("q8_0 takes 0.3 MB") == true)
        profile.kvCacheBudget = nil
        #expect(try dtypes(context: PassContext(profile: profile, contextLength: 1 << 20)) == ["f32", "f32"])
    }

    @Test func overrideWinsQ8() throws {
        let context = PassContext(profile: .lavapipe, contextLength: 16, kvCacheOverride: .q8_0)
        #expect(try dtypes(context: context, headDim: 32) == ["q8_0", "q8_0"])
        #expect(context.remarks.allSatisfy { $0.reason.contains("--kv-cache q8_0") })
    }

    @Test func overrideWins() throws {
        let context = PassContext(profile: .lavapipe, contextLength: 16, kvCacheOverride: .f16)
        #expect(try dtypes(context: context) == ["f16", "f16"])
        #expect(context.remarks.allSatisfy { $0.reason.contains("--kv-cache f16") })
    }
}
