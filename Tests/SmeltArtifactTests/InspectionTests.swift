import Foundation
import SmeltArtifact
import Testing

@Suite struct InspectionTests {
    @Test func reportNamesSectionsModelAndBuffers() throws {
        let path = try Fixture.written()
        let inspection = ArtifactInspection(try ArtifactFile(path: path), showFusionPlan: true)
        #expect(inspection.problem == nil)
        let lines = inspection.text.split(separator: "\n").map(String.init)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(lines.first?.replacingOccurrences(of: ",", with: "").hasSuffix("format version \(ArtifactLayout.formatVersion) \(size) bytes") == true)
        for name in ["manifest", "spirv", "tokenizer", "weights"] {
            #expect(lines.contains { $0.hasPrefix(name) && $0.hasSuffix(" ok") }, "\(name)")
        }
        #expect(lines.contains("kernels: 3 (36 bytes of SPIR-V)"))
        // Fixture: 3 dispatches of 5100 bytes each, 2 barriers.
        #expect(lines.contains("decode step: 3 dispatches, 2 barriers, 14.9 KiB moved"))
        #expect(lines.contains { $0.hasPrefix("  weight") && $0.contains("5,100 bytes") })
        #expect(lines.contains { $0.hasPrefix("  kv_cache") && $0.contains("65,536 bytes") })
        #expect(lines.contains("  not fused: sample (no kernel)"))
    }

    @Test func damagedSectionIsShownThenReported() throws {
        var b = try Fixture.bytes()
        let weights = RawFormat.entry(b, "weights")
        b[weights.offset + 7] ^= 0xFF
        let inspection = ArtifactInspection(try ArtifactFile(bytes: b, name: "x.smelt"))
        #expect(inspection.text.split(separator: "\n").contains { $0.hasPrefix("weights") && $0.hasSuffix("MISMATCH") })
        #expect(inspection.problem?.description == "x.smelt: section 'weights' checksum mismatch (file corrupted?)")
    }
}
