import Foundation
import SmeltIR

/// The `tokenizer` section's bytes. The vocabulary (262k pieces for Gemma)
/// is stored as flat arrays rather than JSON so loading is a few copies,
/// not a JSON parse of every piece:
///
///     u32 layout version (1), u32 token count N, u32 metadata bytes M, u32 pool bytes P
///     M bytes  metadata JSON (everything but the three arrays), zero-padded to 4
///     (N+1) × u32  piece offsets into the pool (first 0, last P)
///     N × f32  scores
///     N × i32  token types
///     P bytes  the pieces' UTF-8, back to back
extension TokenizerData {
    static let binaryLayoutVersion: UInt32 = 1

    private struct Metadata: Codable {
        var model: String
        var bosID: Int32
        var eosID: Int32
        var unknownID: Int32?
        var paddingID: Int32?
        var addBOS: Bool
        var addSpacePrefix: Bool
        var chatTemplate: String?
        var architecture: String?
    }

    /// The section bytes; throws when the arrays disagree in length.
    /// `name` (the artifact's path) starts error messages.
    func binaryEncoded(name: String) throws -> [UInt8] {
        let n = tokens.count
        guard scores.count == n, tokenTypes.count == n else {
            throw SmeltError("\(name): tokenizer: \(n) tokens but \(scores.count) scores and \(tokenTypes.count) token types")
        }
        let meta = Metadata(model: model, bosID: bosID, eosID: eosID, unknownID: unknownID, paddingID: paddingID,
                            addBOS: addBOS, addSpacePrefix: addSpacePrefix, chatTemplate: chatTemplate,
                            architecture: architecture)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let metaBytes = [UInt8](try encoder.encode(meta))
        var pool: [UInt8] = []
        var offsets: [UInt32] = [0]
        offsets.reserveCapacity(n + 1)
        for token in tokens {
            pool.append(contentsOf: token.utf8)
            offsets.append(UInt32(pool.count))
        }
        guard pool.count <= Int(UInt32.max) else { throw SmeltError("\(name): tokenizer: the pieces need more than 4 GiB") }

        var out = ByteWriter()
        out.bytes.reserveCapacity(32 + metaBytes.count + 12 * n + pool.count)
        out.append32(Self.binaryLayoutVersion)
        out.append32(UInt32(n))
        out.append32(UInt32(metaBytes.count))
        out.append32(UInt32(pool.count))
        out.append(metaBytes)
        out.pad(to: 4)
        for o in offsets { out.append32(o) }
        for s in scores { out.append32(s.bitPattern) }
        for t in tokenTypes { out.append32(UInt32(bitPattern: t)) }
        out.append(pool)
        return out.bytes
    }

    /// Reads the section; errors name the section and what is wrong.
    init(binary bytes: UnsafeRawBufferPointer, name: String) throws {
        func fail(_ message: String) -> SmeltError { SmeltError("\(name): section 'tokenizer': \(message)") }
        guard bytes.count >= 16 else { throw fail("\(bytes.count) bytes, too short for its 16-byte header") }
        let version = read32(bytes, 0)
        guard version == Self.binaryLayoutVersion else {
            throw fail("layout version \(version), this smelt reads version \(Self.binaryLayoutVersion)")
        }
        let n = Int(read32(bytes, 4))
        let metaCount = Int(read32(bytes, 8))
        let poolCount = Int(read32(bytes, 12))
        let offsetsAt = 16 + (metaCount + 3) / 4 * 4
        let scoresAt = offsetsAt + 4 * (n + 1)
        let typesAt = scoresAt + 4 * n
        let poolAt = typesAt + 4 * n
        guard poolAt + poolCount == bytes.count else {
            throw fail("\(n) tokens, \(metaCount) metadata bytes and \(poolCount) piece bytes need \(poolAt + poolCount) bytes, the section has \(bytes.count)")
        }
        let meta: Metadata
        do {
            meta = try JSONDecoder().decode(Metadata.self, from: Data(bytes[16 ..< 16 + metaCount]))
        } catch {
            throw fail("metadata is not valid JSON (\(error))")
        }
        let pool = UnsafeRawBufferPointer(rebasing: bytes[poolAt ..< poolAt + poolCount])
        var tokens: [String] = []
        var scores: [Float] = []
        var types: [Int32] = []
        tokens.reserveCapacity(n)
        scores.reserveCapacity(n)
        types.reserveCapacity(n)
        var start = Int(read32(bytes, offsetsAt))
        guard start == 0 else { throw fail("the first piece offset is \(start), not 0") }
        for id in 0 ..< n {
            let end = Int(read32(bytes, offsetsAt + 4 * (id + 1)))
            guard end >= start, end <= poolCount else {
                throw fail("token \(id): piece bytes \(start)..<\(end) are outside the \(poolCount)-byte pool")
            }
            guard let piece = String(validating: UnsafeRawBufferPointer(rebasing: pool[start ..< end]), as: UTF8.self) else {
                throw fail("token \(id): piece is not valid UTF-8")
            }
            tokens.append(piece)
            scores.append(Float(bitPattern: read32(bytes, scoresAt + 4 * id)))
            types.append(Int32(bitPattern: read32(bytes, typesAt + 4 * id)))
            start = end
        }
        guard start == poolCount else { throw fail("the pieces end at byte \(start) of a \(poolCount)-byte pool") }
        self.init(model: meta.model, tokens: tokens, scores: scores, tokenTypes: types, bosID: meta.bosID,
                  eosID: meta.eosID, unknownID: meta.unknownID, paddingID: meta.paddingID, addBOS: meta.addBOS,
                  addSpacePrefix: meta.addSpacePrefix, chatTemplate: meta.chatTemplate, architecture: meta.architecture)
    }
}
