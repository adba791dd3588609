import Foundation
import SmeltArtifact
import SmeltIR

/// A small synthetic artifact: two distinct kernels (one used twice under two
/// names, to exercise SPIR-V sharing), weights that straddle no page, and a
/// tokenizer with multi-byte pieces.
enum Fixture {
    static let spirvMagic: UInt32 = 0x0723_0203

    static func kernel(_ name: String, words: [UInt32], bindings: Int) -> PlannedKernel {
        PlannedKernel(name: name, spirv: [spirvMagic] + words, bindingCount: bindings, pushConstantBytes: 8,
                      specialization: [0: 64, 3: 7], workgroupSize: [64, 1, 1])
    }

    static let plan: ExecutionPlan = {
        let kernels = [
            kernel("matvec_q4_k", words: [0x0001_0000, 11, 42, 0xDEAD_BEEF], bindings: 3),
            kernel("rms_norm", words: [0x0001_0000, 5, 6], bindings: 2),
            kernel("matvec_q4_k_copy", words: [0x0001_0000, 11, 42, 0xDEAD_BEEF], bindings: 3),
        ]
        let buffers = [
            PlannedBuffer(name: "token_embd", role: .weight, byteSize: 100, weightOffset: 0, packing: "f32"),
            PlannedBuffer(name: "blk.0.attn_q", role: .weight, byteSize: 5000, weightOffset: 128, packing: "q4_k"),
            PlannedBuffer(name: "x", role: .activation, byteSize: 4096),
            PlannedBuffer(name: "kv", role: .kvCache, byteSize: 65536),
            PlannedBuffer(name: "control", role: .control, byteSize: 32),
            PlannedBuffer(name: "tokens", role: .tokens, byteSize: 64),
            PlannedBuffer(name: "logits", role: .logits, byteSize: 1024),
            PlannedBuffer(name: "output", role: .output, byteSize: 512),
        ]
        func dispatch(_ k: Int, _ bindings: [BufferSlice], _ label: String) -> PlanCommand {
            .dispatch(PlannedDispatch(kernel: k, bindings: bindings, pushConstants: [1, 2], groups: [4, 1, 1],
                                      label: label, bytesMoved: 5100))
        }
        let decode: [PlanCommand] = [
            dispatch(1, [BufferSlice(buffer: 2, offset: 0, size: 4096), BufferSlice(buffer: 0, offset: 0, size: 100)],
                     "rms_norm"),
            .barrier,
            dispatch(0, [BufferSlice(buffer: 1, offset: 0, size: 5000), BufferSlice(buffer: 2, offset: 0, size: 4096),
                         BufferSlice(buffer: 6, offset: 0, size: 1024)], "linear(q)"),
            .barrier,
            dispatch(2, [BufferSlice(buffer: 1, offset: 0, size: 5000), BufferSlice(buffer: 2, offset: 0, size: 4096),
                         BufferSlice(buffer: 7, offset: 256, size: 256)], "sample"),
        ]
        let prefill: [PlanCommand] = [decode[0], .barrier, decode[2]]
        return ExecutionPlan(modelName: "tiny-test", vocabularySize: 256, contextLength: 128, prefillChunk: 16,
                             kernels: kernels, buffers: buffers, decode: decode, prefill: prefill,
                             controlBuffer: 4, tokensBuffer: 5, logitsBuffer: 6, outputBuffer: 7)
    }()

    /// 5128 bytes: a deterministic pattern, so a misplaced byte shows.
    static let weights: [UInt8] = (0 ..< 5128).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }

    static let tokenizer = TokenizerData(
        tokens: ["<pad>", "<eos>", "<bos>", "<unk>", "▁the", "é", "日本", "<0x0A>", "\n\n", ""],
        scores: [0, 0, 0, 0, -1.5, -2.25, -.infinity, 0, 0, 3e-7],
        tokenTypes: [3, 3, 3, 2, 1, 1, 1, 6, 4, 5],
        bosID: 2, eosID: 1, unknownID: 3, paddingID: 0, addBOS: true, addSpacePrefix: false,
        chatTemplate: "{% for m in messages %}<start_of_turn>{{ m.role }}\n{% endfor %}", architecture: "gemma3")

    static let manifest = ArtifactManifest(
        modelName: "tiny-test", architecture: "gemma3",
        hyperparameters: ["n_layers": .int(2), "rms_eps": .double(1e-6), "rope_theta": .double(1_000_000)],
        contextLength: 128, graphHash: ArtifactManifest.contentHash("graph text"), pipeline: "default",
        deviceProfile: "lavapipe", fusionPlan: "fused rms_norm+linear(q)\nnot fused: sample (no kernel)",
        producer: "smelt tests", notes: ["source": "synthetic"])

    /// A fresh path in a new temporary folder.
    static func temporaryPath(_ file: String = "model.smelt") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smelt-artifact-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(file).path
    }

    /// The fixture written to disk; returns the path.
    static func written() throws -> String {
        let path = try temporaryPath()
        try ArtifactWriter.write(to: path, manifest: manifest, plan: plan, weights: weights, tokenizer: tokenizer)
        return path
    }

    static func bytes() throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: written())))
    }
}

/// The format read straight from docs/ArtifactFormat.md, independently of
/// the reader: little-endian fields at fixed offsets.
enum RawFormat {
    static func u32(_ b: [UInt8], _ at: Int) -> UInt32 { (0 ..< 4).reduce(0) { $0 | UInt32(b[at + $1]) << (8 * $1) } }
    static func u64(_ b: [UInt8], _ at: Int) -> UInt64 { (0 ..< 8).reduce(0) { $0 | UInt64(b[at + $1]) << (8 * $1) } }
    static func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) { for i in 0 ..< 4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) } }
    static func put64(_ b: inout [UInt8], _ at: Int, _ v: UInt64) { for i in 0 ..< 8 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) } }

    struct Entry {
        var index: Int
        var name: String
        var offset: Int
        var length: Int
        var checksum: UInt64
        var alignment: Int
        var at: Int { 64 + 48 * index }
    }

    static func entries(_ b: [UInt8]) -> [Entry] {
        (0 ..< Int(u32(b, 16))).map { i in
            let at = 64 + 48 * i
            let name = String(decoding: b[at ..< at + 16].prefix { $0 != 0 }, as: UTF8.self)
            return Entry(index: i, name: name, offset: Int(u64(b, at + 16)), length: Int(u64(b, at + 24)),
                         checksum: u64(b, at + 32), alignment: Int(u32(b, at + 40)))
        }
    }

    static func entry(_ b: [UInt8], _ name: String) -> Entry { entries(b).first { $0.name == name }! }

    /// Chunked checksum as the format defines it, computed serially.
    static func sectionChecksum(_ bytes: ArraySlice<UInt8>, chunk: Int) -> UInt64 {
        var digests: [UInt8] = []
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = min(start + chunk, bytes.endIndex)
            let h = XXHash64.hash(Array(bytes[start ..< end]))
            for i in 0 ..< 8 { digests.append(UInt8(truncatingIfNeeded: h >> (8 * i))) }
            start = end
        }
        return XXHash64.hash(digests)
    }

    /// Recomputes every section checksum and then the header checksum, so a
    /// deliberate edit reaches the checks behind them.
    static func resealed(_ input: [UInt8]) -> [UInt8] {
        var b = input
        let chunk = Int(u32(b, 20))
        for e in entries(b) where e.offset + e.length <= b.count {
            put64(&b, e.at + 32, sectionChecksum(b[e.offset ..< e.offset + e.length], chunk: chunk))
        }
        return resealedHeader(b)
    }

    static func resealedHeader(_ input: [UInt8]) -> [UInt8] {
        var b = input
        let end = min(Int(u32(b, 12)), b.count)
        put64(&b, 32, 0)
        put64(&b, 32, XXHash64.hash(Array(b[0 ..< end])))
        return b
    }
}

/// The message of the error `body` throws, or nil when it does not throw.
func errorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return "\(error)"
    }
}
