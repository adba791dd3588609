import Foundation

/// A Hugging Face checkpoint directory as one `WeightStore`: either a single
/// `model.safetensors`, or shards `model-0000x-of-0000y.safetensors` listed
/// by `model.safetensors.index.json` (or, without an index, found by name).
/// `config.json`, when present, is decoded into `config`.
public final class SafetensorsCheckpoint: WeightStore {
    public let directory: String
    /// The shard files, in name order.
    public let shards: [SafetensorsFile]
    /// The decoded `config.json`, or nil if the directory has none.
    public let config: HFConfig?
    public let tensorNames: [String]
    private let shardOf: [String: Int]

    /// Opens the checkpoint in `directory`.
    public init(directory: String) throws {
        self.directory = directory
        let fm = FileManager.default
        let dir = URL(fileURLWithPath: directory)
        func file(_ name: String) -> String { dir.appendingPathComponent(name).path }

        let configPath = file("config.json")
        config = fm.fileExists(atPath: configPath) ? try HFConfig(path: configPath) : nil

        var expected: [String: String] = [:]     // tensor → shard file, from the index
        let shardNames: [String]
        let indexPath = file("model.safetensors.index.json")
        if fm.fileExists(atPath: indexPath) {
            expected = try Self.readIndex(indexPath)
            shardNames = Array(Set(expected.values)).sorted()
        } else if fm.fileExists(atPath: file("model.safetensors")) {
            shardNames = ["model.safetensors"]
        } else {
            let listing = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
            shardNames = listing.filter(Self.isShardName).sorted()
            guard !shardNames.isEmpty else {
                throw SafetensorsError(
                    "no model.safetensors, model.safetensors.index.json or model-*-of-*.safetensors found",
                    path: directory)
            }
        }

        shards = try shardNames.map { try SafetensorsFile(path: file($0)) }
        var shardOf: [String: Int] = [:]
        var names: [String] = []
        for (i, shard) in shards.enumerated() {
            for name in shard.tensorNames {
                if let other = shardOf[name] {
                    throw SafetensorsError(
                        "tensor '\(name)' is in both \(shardNames[other]) and \(shardNames[i])", path: directory)
                }
                shardOf[name] = i
                names.append(name)
            }
        }
        for (name, shardName) in expected.sorted(by: { $0.key < $1.key }) {
            guard let i = shardOf[name], shardNames[i] == shardName else {
                throw SafetensorsError(
                    "model.safetensors.index.json puts tensor '\(name)' in \(shardName), which does not hold it",
                    path: directory)
            }
        }
        self.shardOf = shardOf
        tensorNames = names
    }

    public func tensor(named name: String) throws -> WeightTensor {
        guard let i = shardOf[name] else {
            throw SafetensorsError("no tensor named '\(name)' in the checkpoint (\(tensorNames.count) tensors)",
                                   path: directory)
        }
        return try shards[i].tensor(named: name)
    }

    /// `model-00001-of-00002.safetensors` and the like.
    static func isShardName(_ name: String) -> Bool {
        guard name.hasPrefix("model-"), name.hasSuffix(".safetensors") else { return false }
        let middle = name.dropFirst("model-".count).dropLast(".safetensors".count)
        let parts = middle.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[1] == "of"
            && !parts[0].isEmpty && parts[0].allSatisfy(\.isASCIIDigit)
            && !parts[2].isEmpty && parts[2].allSatisfy(\.isASCIIDigit)
    }

    /// The index's `weight_map`. Shard names must be plain file names in
    /// the directory, so an index cannot point outside it.
    private static func readIndex(_ path: String) throws -> [String: String] {
        struct Index: Decodable { let weight_map: [String: String] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SafetensorsError("cannot read the index", path: path)
        }
        let index: Index
        do {
            index = try JSONDecoder().decode(Index.self, from: data)
        } catch let e as DecodingError {
            throw SafetensorsError("index: \(SafetensorsHeaderParser.describe(e))", path: path)
        }
        for (tensor, shard) in index.weight_map {
            guard !shard.isEmpty, !shard.contains("/"), shard != ".", shard != ".." else {
                throw SafetensorsError("weight_map puts tensor '\(tensor)' in '\(shard)', which is not a file name here",
                                       path: path)
            }
        }
        return index.weight_map
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
