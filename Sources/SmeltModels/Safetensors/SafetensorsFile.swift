/// One `.safetensors` file served as a `WeightStore` from a read-only
/// memory mapping.
///
/// The header is decoded and every entry checked when the file is opened:
/// offsets inside the data, sizes equal to shape × dtype size. Entries of
/// dtypes other than F32, F16 and BF16 are listed; asking for one is an
/// error naming it.
public final class SafetensorsFile: WeightStore {
    public let storage: ByteStorage
    /// The path the file was opened from, if any.
    public let path: String?
    /// Tensor entries in data order.
    public let tensors: [SafetensorsTensorInfo]
    /// The `__metadata__` string map (empty if absent).
    public let metadata: [String: String]
    private let index: [String: Int]

    /// Maps and parses the file at `path`.
    public convenience init(path: String) throws {
        let storage: ByteStorage
        do {
            storage = try ByteStorage(mappingFile: path)
        } catch let e as StorageError {
            throw SafetensorsError(e.description)
        }
        try self.init(storage: storage, path: path)
    }

    /// Parses a file image held in memory (the bytes are copied).
    public convenience init(bytes: [UInt8]) throws {
        try self.init(storage: .copying(bytes), path: nil)
    }

    public init(storage: ByteStorage, path: String? = nil) throws {
        do {
            (tensors, metadata) = try SafetensorsHeaderParser.parse(storage.bytes)
        } catch let e as SafetensorsError {
            throw SafetensorsError(e.message, path: path)
        }
        self.storage = storage
        self.path = path
        var index: [String: Int] = [:]
        for (i, t) in tensors.enumerated() { index[t.name] = i }
        self.index = index
    }

    public var tensorNames: [String] { tensors.map(\.name) }

    /// The entry for `name`, if present.
    public func tensorInfo(named name: String) -> SafetensorsTensorInfo? {
        index[name].map { tensors[$0] }
    }

    public func tensor(named name: String) throws -> WeightTensor {
        guard let info = tensorInfo(named: name) else {
            throw SafetensorsError("no tensor named '\(name)' (the file has \(tensors.count) tensors)", path: path)
        }
        guard let dtype = info.dtype else {
            throw SafetensorsError(
                "tensor '\(name)' has dtype \(info.dtypeName), which Smelt cannot read (supported: F32, F16, BF16)",
                path: path)
        }
        let bytes = UnsafeRawBufferPointer(rebasing: storage.bytes[info.fileOffset..<(info.fileOffset + info.byteCount)])
        return WeightTensor(name: name, dtype: dtype, shape: info.shape, bytes: bytes, owner: storage)
    }
}
