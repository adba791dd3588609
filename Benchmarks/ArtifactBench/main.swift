// Times writing and loading a `.smelt` file with synthetic weights, to check
// that checksumming keeps up with the disk: `artifact-bench [MiB] [path]`.
import Foundation
import SmeltArtifact

let arguments = CommandLine.arguments.dropFirst()
let mib = arguments.first.flatMap(Int.init) ?? 512
let path = arguments.dropFirst().first ?? NSTemporaryDirectory() + "artifact-bench.smelt"
let keep = arguments.count > 1

let count = mib << 20
let weights = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 4096)
defer { weights.deallocate() }
var state: UInt64 = 1
for i in stride(from: 0, to: count, by: 8) {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    weights.storeBytes(of: state, toByteOffset: i, as: UInt64.self)
}

let spirv: [UInt32] = [0x0723_0203, 0x0001_0000, 0, 1, 0]
let plan = ExecutionPlan(
    modelName: "bench", vocabularySize: 4, contextLength: 16, prefillChunk: 4,
    kernels: [PlannedKernel(name: "k", spirv: spirv, bindingCount: 1, pushConstantBytes: 0, specialization: [:],
                            workgroupSize: [1, 1, 1])],
    buffers: [PlannedBuffer(name: "w", role: .weight, byteSize: count, weightOffset: 0, packing: "raw"),
              PlannedBuffer(name: "control", role: .control, byteSize: 32)],
    decode: [.dispatch(PlannedDispatch(kernel: 0, bindings: [BufferSlice(buffer: 0, offset: 0, size: min(count, 1 << 27))],
                                       pushConstants: [], groups: [1, 1, 1], label: "read", bytesMoved: count))],
    prefill: [], controlBuffer: 1, tokensBuffer: 1, logitsBuffer: 1, outputBuffer: 1)
let manifest = ArtifactManifest(modelName: "bench", contextLength: 16, graphHash: "none", pipeline: "none",
                                deviceProfile: "none", fusionPlan: "")
let tokenizer = TokenizerData(tokens: ["<unk>", "<s>", "</s>", "a"], scores: [0, 0, 0, -1], tokenTypes: [2, 3, 3, 1],
                              bosID: 1, eosID: 2, unknownID: 0, addBOS: true, addSpacePrefix: false)

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
func rate(_ t: Double) -> String { String(format: "%.3f s (%.2f GB/s)", t, Double(count) / t / 1e9) }

do {
    let checksum = seconds { _ = SectionChecksum.compute(UnsafeRawBufferPointer(weights)) }
    print("checksum \(mib) MiB in memory: \(rate(checksum)) on \(ProcessInfo.processInfo.activeProcessorCount) cores")
    // CPU time too: on a shared machine, wall time says little about the code.
    var before = timespec(), after = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &before)
    let single = seconds { _ = XXHash64.hash(UnsafeRawBufferPointer(weights)) }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &after)
    let cpu = Double(after.tv_sec - before.tv_sec) + Double(after.tv_nsec - before.tv_nsec) / 1e9
    print("one-thread XXH64: \(rate(single)); CPU time \(rate(cpu))")
    let write = try seconds {
        try ArtifactWriter.write(to: path, manifest: manifest, plan: plan, weights: UnsafeRawBufferPointer(weights),
                                 tokenizer: tokenizer)
    }
    print("write: \(rate(write))")
    let open = try seconds { _ = try Artifact(path: path) }
    print("open and verify: \(rate(open))")
    let unverified = try seconds { _ = try Artifact(file: ArtifactFile(path: path), verifyChecksums: false) }
    print(String(format: "open without verifying: %.4f s", unverified))
    if !keep { try FileManager.default.removeItem(atPath: path) }

    // A Gemma-sized vocabulary: 262,144 pieces.
    let n = 262_144
    let big = TokenizerData(tokens: (0 ..< n).map { "▁piece\($0)" }, scores: (0 ..< n).map { -Float($0) },
                            tokenTypes: [2, 3, 3] + [Int32](repeating: 1, count: n - 3), bosID: 1, eosID: 2,
                            unknownID: 0, addBOS: true, addSpacePrefix: false)
    let small = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(weights)[0 ..< 4096])
    var smallPlan = plan
    smallPlan.buffers[0].byteSize = 4096
    smallPlan.decode = []
    let vocabPath = path + ".vocab"
    let vocabWrite = try seconds {
        try ArtifactWriter.write(to: vocabPath, manifest: manifest, plan: smallPlan, weights: small, tokenizer: big)
    }
    let vocabOpen = try seconds { _ = try Artifact(path: vocabPath) }
    print(String(format: "262,144-piece tokenizer: write %.3f s, open %.3f s", vocabWrite, vocabOpen))
    try FileManager.default.removeItem(atPath: vocabPath)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
