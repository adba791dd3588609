import CVulkan
import Foundation

/// A `VkPipelineCache` persisted to a file the caller names, so pipelines
/// compile faster on the next run.
///
/// Loading never fails because of the file: a missing, truncated, corrupt
/// or other-driver file is ignored (the reason is in `origin`) and the
/// cache starts empty. The header is checked here rather than trusting every
/// driver to reject foreign data safely.
public final class PipelineCache {
    /// What the cache started from.
    public enum Origin: Sendable, Hashable {
        /// No file given, or the file does not exist.
        case empty
        /// Started from this many bytes of the file.
        case loaded(bytes: Int)
        /// The file was unusable, for this reason.
        case ignored(reason: String)
    }

    public let device: VulkanDevice
    public let origin: Origin
    let handle: VkPipelineCache

    /// The `VkPipelineCacheHeaderVersionOne` layout: length, version,
    /// vendor id, device id, 16-byte cache UUID.
    static let headerSize = 32

    public init(device: VulkanDevice, path: String? = nil) throws {
        self.device = device
        var origin = Origin.empty
        var initial: [UInt8] = []
        if let path, FileManager.default.fileExists(atPath: path) {
            do {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                if let problem = Self.headerProblem(bytes, device: device.info) {
                    origin = .ignored(reason: "\(path): \(problem)")
                } else {
                    initial = bytes
                    origin = .loaded(bytes: bytes.count)
                }
            } catch {
                origin = .ignored(reason: "\(path): cannot be read (\(error.localizedDescription))")
            }
        }
        if !initial.isEmpty, let loaded = try? Self.create(device, initial) {
            handle = loaded
        } else {
            if !initial.isEmpty { origin = .ignored(reason: "\(path ?? ""): the driver rejected its contents") }
            handle = try Self.create(device, [])
        }
        self.origin = origin
    }

    deinit {
        vkDestroyPipelineCache(device.handle, handle, nil)
    }

    /// The cache contents as the driver serializes them.
    public func data() throws -> [UInt8] {
        try enumerate("vkGetPipelineCacheData", zero: UInt8(0)) { count, bytes in
            var size = Int(count.pointee)
            let result = vkGetPipelineCacheData(device.handle, handle, &size, bytes)
            count.pointee = UInt32(clamping: size)
            return result
        }
    }

    /// Writes the cache to `path` atomically (a crash leaves the old file).
    public func save(to path: String) throws {
        let bytes = try data()
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw VulkanError.invalidArgument("cannot write pipeline cache to \(path): \(error.localizedDescription)")
        }
    }

    /// Why `bytes` cannot be cache data for `device`; nil if the header fits.
    static func headerProblem(_ bytes: [UInt8], device: PhysicalDeviceInfo) -> String? {
        guard bytes.count >= headerSize else {
            return "\(bytes.count) bytes, shorter than the \(headerSize)-byte pipeline cache header"
        }
        func word(_ offset: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
        }
        let length = Int(word(0))
        guard length >= headerSize, length <= bytes.count else {
            return "header length \(length) is impossible for a \(bytes.count)-byte file"
        }
        guard word(4) == UInt32(VK_PIPELINE_CACHE_HEADER_VERSION_ONE.rawValue) else {
            return "header version \(word(4)) is not 1"
        }
        guard word(8) == device.vendorID, word(12) == device.deviceID,
              Array(bytes[16..<32]) == device.pipelineCacheUUID else {
            return "written for another device or driver version"
        }
        return nil
    }

    private static func create(_ device: VulkanDevice, _ initial: [UInt8]) throws -> VkPipelineCache {
        try initial.withUnsafeBytes { raw in
            var info = VkPipelineCacheCreateInfo()
            info.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO
            info.initialDataSize = raw.count
            info.pInitialData = raw.count > 0 ? raw.baseAddress : nil
            var cache: VkPipelineCache?
            try check(vkCreatePipelineCache(device.handle, &info, nil, &cache), "vkCreatePipelineCache")
            return cache!
        }
    }
}
