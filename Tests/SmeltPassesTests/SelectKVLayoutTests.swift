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

    private func dtypes(context: PassContext) throws -> [String] {
        let output = try PassManager(passes: [SelectKVLayout()]).run(try Graph.parse(Self.graph, file: "g"), context: context)
        return output.ops.filter { $0.kind == "kv_write" }.compactMap { $0.attributes["dtype"]?.symbolValue }
    }

    @Test func budgetDecides() throws {
        var profile = DeviceProfile.lavapipe
        profile.kvCacheBudget = 128 * 1000
        #expect(try dtypes(context: PassContext(profile: profile, contextLength: 1000)) == ["f32", "f32"])
        let long = PassContext(profile: profile, contextLength: 1001)
        #expect(try dtypes(context: long) == ["f16", "f16"])
        #expect(long.remarks.first?.reason.contains("over the lavapipe budget") == true)
        profile.kvCacheBudget = nil
        #expect(try dtypes(context: PassContext(profile: profile, contextLength: 1 << 20)) == ["f32", "f32"])
    }

    @Test func overrideWins() throws {
        let context = PassContext(profile: .lavapipe, contextLength: 16, kvCacheOverride: .f16)
        #expect(try dtypes(context: context) == ["f16", "f16"])
        #expect(context.remarks.allSatisfy { $0.reason.contains("--kv-cache f16") })
    }
}
