import SmeltIR

/// A GGUF (v2 or v3) model file: its metadata and its tensors, served as a
/// `WeightStore` straight from a read-only memory mapping.
///
/// Opening parses and checks the whole header and tensor table, so a
/// truncated or hostile file is refused up front with a `GGUFError` naming
/// the field or tensor and the byte offset. Tensors whose storage type Smelt
/// cannot decode are still listed; asking for one is an error naming it.
public final class GGUFFile: WeightStore {
    /// The mapped (or copied) file bytes; tensors keep it alive.
    public let storage: ByteStorage
    /// Format version: 2 or 3.
    public let version: Int
    /// Every metadata value by key.
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    /// Data alignment (`general.alignment`, default 32).
    public let alignment: Int
    /// File offset where the data section starts.
    public let dataOffset: Int
    /// The path the file was opened from, if any.
    public let path: String?
    private let tensorIndex: [String: Int]

    /// Maps and parses the file at `path`.
    public convenience init(path: String) throws {
        let storage: ByteStorage
        do {
            storage = try ByteStorage(mappingFile: path)
        } catch let e as StorageError {
            throw GGUFError(e.description)
        }
        try self.init(storage: storage, path: path)
    }

    /// Parses a GGUF image held in memory (the bytes are copied).
    public convenience init(bytes: [UInt8]) throws {
        try self.init(storage: .copying(bytes), path: nil)
    }

    /// Parses bytes already held by `storage`.
    public init(storage: ByteStorage, path: String? = nil) throws {
        let parsed: GGUFParser.Result
        do {
            parsed = try GGUFParser.parse(storage.bytes)
        } catch let e as GGUFError where path != nil {
            throw e.at(path: path!)
        }
        self.storage = storage
        self.path = path
        version = parsed.version
        metadata = parsed.metadata
        metadataKeys = parsed.metadataKeys
        tensors = parsed.tensors
        alignment = parsed.alignment
        dataOffset = parsed.dataOffset
        var index: [String: Int] = [:]
        for (i, t) in parsed.tensors.enumerated() { index[t.name] = i }
        tensorIndex = index
    }

    // MARK: WeightStore

    public var tensorNames: [String] { tensors.map(\.name) }

    /// The info record for `name`, if the file has such a tensor.
    public func tensorInfo(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    public func tensor(named name: String) throws -> WeightTensor {
        guard let info = tensorInfo(named: name) else {
            throw error("no tensor named '\(name)' (the file has \(tensors.count) tensors)")
        }
        guard let dtype = info.dtype else {
            throw error(
                "tensor '\(name)' is stored as \(info.ggmlType), which Smelt cannot decode "
                    + "(supported: \(GGMLType.supportedNames))")
        }
        let bytes = UnsafeRawBufferPointer(rebasing: storage.bytes[info.fileOffset..<(info.fileOffset + info.byteCount)])
        return WeightTensor(name: name, dtype: dtype, shape: info.shape, bytes: bytes, owner: storage)
    }

    func error(_ message: String) -> GGUFError { GGUFError(message, path: path) }
}
