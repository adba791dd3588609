import Foundation
import SmeltArtifact
import Testing

@Suite struct RoundTripTests {
    @Test func everythingComesBack() throws {
        let path = try Fixture.written()
        let artifact = try Artifact(path: path)
        #expect(artifact.manifest == Fixture.manifest)
        #expect(artifact.plan == Fixture.plan)
        #expect(artifact.tokenizer == Fixture.tokenizer)
        #expect(Array(artifact.weights) == Fixture.weights)
        #expect(try artifact.manifest.decodedHyperparameters().nLayers == 2)
    }

    @Test func weightsArePageAlignedInFileAndMapping() throws {
        let artifact = try Artifact(path: try Fixture.written())
        let weights = try #require(artifact.file.layout.section(named: "weights"))
        #expect(weights.offset % 4096 == 0)
        #expect(Int(bitPattern: artifact.weights.baseAddress) % 4096 == 0)
    }

    @Test func headerAndTableFollowTheDocumentedLayout() throws {
        let b = try Fixture.bytes()
        #expect(Array(b[0 ..< 8]) == Array("SMELT".utf8) + [0, 0, 0])
        #expect(RawFormat.u32(b, 8) == 4)
        let entries = RawFormat.entries(b)
        #expect(entries.map(\.name) == ["manifest", "spirv", "tokenizer", "weights"])
        #expect(Int(RawFormat.u32(b, 12)) == 64 + 48 * entries.count)
        #expect(Int(RawFormat.u64(b, 24)) == b.count)
        let chunk = Int(RawFormat.u32(b, 20))
        #expect(chunk == 1 << 20)
        for e in entries {
            #expect(e.offset % e.alignment == 0, "\(e.name)")
            #expect(e.checksum == RawFormat.sectionChecksum(b[e.offset ..< e.offset + e.length], chunk: chunk), "\(e.name)")
        }
        #expect(RawFormat.entry(b, "weights").alignment == 4096)
        #expect(Array(b[RawFormat.entry(b, "weights").offset...]) == Fixture.weights)
        // The header checksum covers header and table with its own field zeroed.
        #expect(RawFormat.resealedHeader(b) == b)
        // SPIR-V: the shared kernel is stored once, as little-endian words.
        #expect(RawFormat.entry(b, "spirv").length == 4 * (5 + 4))
        let spirv = RawFormat.entry(b, "spirv").offset
        #expect(RawFormat.u32(b, spirv) == 0x0723_0203)
        // The manifest is JSON whose plan carries no SPIR-V words.
        let m = RawFormat.entry(b, "manifest")
        let json = try JSONSerialization.jsonObject(with: Data(b[m.offset ..< m.offset + m.length])) as? [String: Any]
        let kernels = (json?["plan"] as? [String: Any])?["kernels"] as? [[String: Any]]
        #expect(kernels?.count == 3)
        #expect(kernels?.allSatisfy { ($0["spirv"] as? [Any])?.isEmpty == true } == true)
    }

    @Test func sameInputsGiveSameBytes() throws {
        #expect(try Fixture.bytes() == Fixture.bytes())
    }

    /// The prefill tail (where the last chunk's commands begin) is stored
    /// and checked against the prefill list.
    @Test func prefillTailRoundTripsAndIsChecked() throws {
        var plan = Fixture.plan
        plan.prefillTail = 2
        #expect(plan.validationProblem(weightsBytes: Fixture.weights.count) == nil)
        let path = try Fixture.temporaryPath()
        try Fixture.weights.withUnsafeBytes {
            try ArtifactWriter.write(to: path, manifest: Fixture.manifest, plan: plan, weights: [$0],
                                     tokenizer: Fixture.tokenizer)
        }
        #expect(try Artifact(path: path).plan.prefillTail == 2)
        plan.prefillTail = 4
        #expect(plan.validationProblem(weightsBytes: Fixture.weights.count)
            == "prefillTail is 4, outside the prefill list's 3 commands")
    }

    @Test func multiChunkWeightsAndProgress() throws {
        // 2.5 MiB of weights in three pieces: several checksum chunks.
        let big = (0 ..< (5 << 19)).map { UInt8(truncatingIfNeeded: $0 ^ $0 >> 11) }
        var plan = Fixture.plan
        plan.buffers[1].byteSize = big.count - 128
        let path = try Fixture.temporaryPath()
        var reports: [ArtifactWriter.Progress] = []
        try big.withUnsafeBytes { all in
            let pieces = [all[0 ..< 1000], all[1000 ..< 2_000_000], all[2_000_000...]].map(UnsafeRawBufferPointer.init(rebasing:))
            try ArtifactWriter.write(to: path, manifest: Fixture.manifest, plan: plan, weights: pieces,
                                     tokenizer: Fixture.tokenizer) { reports.append($0) }
        }
        let artifact = try Artifact(path: path)
        #expect(Array(artifact.weights) == big)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(reports.last?.phase == .done)
        #expect(reports.last?.bytesDone == size)
        #expect(reports.allSatisfy { $0.bytesDone <= $0.bytesTotal })
        // No temporary file is left beside the artifact.
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["model.smelt"])
    }

    @Test func emptyWeightsAndNoKernels() throws {
        let plan = ExecutionPlan(modelName: "empty", vocabularySize: 1, contextLength: 1, prefillChunk: 1,
                                 kernels: [], buffers: [PlannedBuffer(name: "c", role: .control, byteSize: 32)],
                                 decode: [], prefill: [], controlBuffer: 0, tokensBuffer: 0, logitsBuffer: 0,
                                 outputBuffer: 0)
        let path = try Fixture.temporaryPath()
        try ArtifactWriter.write(to: path, manifest: Fixture.manifest, plan: plan, weights: [UInt8](),
                                 tokenizer: Fixture.tokenizer)
        let artifact = try Artifact(path: path)
        #expect(artifact.plan == plan)
        #expect(artifact.weights.isEmpty)
    }
}

@Suite struct WeightsBlobTests {
    @Test func tensorsLandAtAlignedOffsetsWithZeroPadding() throws {
        var blob = WeightsBlob()
        #expect(blob.append([1, 2, 3]) == 0)
        #expect(blob.append([4, 5], alignment: 256) == 256)
        #expect(blob.append([6], alignment: 4) == 260)
        #expect(blob.byteCount == 261)
        #expect(blob.bytes[3 ..< 256].allSatisfy { $0 == 0 })
        #expect(Array(blob.bytes[256 ..< 258]) == [4, 5])
        #expect(blob.bytes[260] == 6)
    }
}
