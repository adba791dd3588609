/// The contents of an artifact's `weights` section under construction:
/// packed tensors back to back, each starting at an aligned offset (zero
/// padding between), so the runtime can bind any of them as a storage-buffer
/// range. `append` returns the offset to put in `PlannedBuffer.weightOffset`.
public struct WeightsBlob: Sendable {
    public private(set) var bytes: [UInt8] = []

    /// 256 bytes meets `minStorageBufferOffsetAlignment` on every Vulkan
    /// device we know of (the spec's maximum is 256).
    public static let defaultAlignment = 256

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public var byteCount: Int { bytes.count }

    /// Appends `data` at the next multiple of `alignment` (a power of two)
    /// and returns its offset.
    @discardableResult
    public mutating func append(_ data: UnsafeRawBufferPointer, alignment: Int = defaultAlignment) -> Int {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment must be a power of two")
        let offset = (bytes.count + alignment - 1) & ~(alignment - 1)
        bytes.append(contentsOf: repeatElement(0, count: offset - bytes.count))
        bytes.append(contentsOf: data)
        return offset
    }

    @discardableResult
    public mutating func append(_ data: [UInt8], alignment: Int = defaultAlignment) -> Int {
        data.withUnsafeBytes { append($0, alignment: alignment) }
    }
}
