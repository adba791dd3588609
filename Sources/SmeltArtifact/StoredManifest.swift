import Foundation
import SmeltIR

/// The JSON of the `manifest` section: the manifest, the plan with every
/// kernel's `spirv` left empty, and where each kernel's words are in the
/// `spirv` section.
struct StoredManifest: Codable {
    /// Byte range of one kernel's SPIR-V inside the `spirv` section.
    struct CodeRange: Codable, Equatable {
        var offset: Int
        var bytes: Int
    }

    var manifest: ArtifactManifest
    var plan: ExecutionPlan
    /// One per `plan.kernels` entry, in order. Identical kernels share a range.
    var kernelCode: [CodeRange]
    /// Bytes in the `weights` section, so a reader can check it independently.
    var weightsBytes: Int

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        // Sorted keys: the same inputs give the same file, byte for byte.
        encoder.outputFormatting = [.sortedKeys]
        return [UInt8](try encoder.encode(self))
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, name: String) throws -> StoredManifest {
        do {
            return try JSONDecoder().decode(StoredManifest.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw SmeltError("\(name): section 'manifest': \(describe(error))")
        } catch {
            throw SmeltError("\(name): section 'manifest' is not valid JSON (\(error))")
        }
    }
}

/// Packs the kernels' words into the `spirv` section, identical kernels once.
func packSPIRV(_ kernels: [PlannedKernel]) -> (section: [UInt8], ranges: [StoredManifest.CodeRange]) {
    var section: [UInt8] = []
    var ranges: [StoredManifest.CodeRange] = []
    var seen: [[UInt32]: StoredManifest.CodeRange] = [:]
    for kernel in kernels {
        if let range = seen[kernel.spirv] {
            ranges.append(range)
            continue
        }
        let range = StoredManifest.CodeRange(offset: section.count, bytes: kernel.spirv.count * 4)
        section.reserveCapacity(section.count + range.bytes)
        for word in kernel.spirv { withUnsafeBytes(of: word.littleEndian) { section += $0 } }
        seen[kernel.spirv] = range
        ranges.append(range)
    }
    return (section, ranges)
}

/// One line for a JSON decoding error: what and at which key path.
private func describe(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .dataCorrupted(let c): return "\(c.debugDescription) at \(path(c.codingPath))"
    case .keyNotFound(let key, let c): return "missing key '\(key.stringValue)' in \(path(c.codingPath))"
    case .typeMismatch(_, let c), .valueNotFound(_, let c): return "wrong type at \(path(c.codingPath))"
    @unknown default: return "\(error)"
    }
}
