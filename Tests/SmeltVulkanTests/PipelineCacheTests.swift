import Foundation
import Testing
import SmeltVulkan

@Suite struct PipelineCacheTests {
    static let glsl = """
        #version 450
        layout(local_size_x = 1) in;
        layout(set = 0, binding = 0, std430) buffer B { uint v[]; };
        void main() { v[0] = 42u; }
        """

    func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("smelt-\(name)-\(UUID().uuidString).cache").path
    }

    @Test func roundTripsThroughAFile() throws {
        try withValidatedDevice { device in
            let path = temporaryPath("roundtrip")
            defer { try? FileManager.default.removeItem(atPath: path) }

            let fresh = try PipelineCache(device: device, path: path)
            #expect(fresh.origin == .empty, "no file yet")
            _ = try pipeline(device, name: "cached", glsl: Self.glsl, storageBindings: 1, cache: fresh)
            try fresh.save(to: path)

            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            // VkPipelineCacheHeaderVersionOne: length ≥ 32, version 1, this device's ids and UUID.
            let word = { (o: Int) in (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[o + $1]) << (8 * $1) } }
            #expect(bytes.count >= 32 && word(0) >= 32 && word(4) == 1)
            #expect(word(8) == device.info.vendorID && word(12) == device.info.deviceID)
            #expect(Array(bytes[16..<32]) == device.info.pipelineCacheUUID)

            let reloaded = try PipelineCache(device: device, path: path)
            #expect(reloaded.origin == .loaded(bytes: bytes.count))
            _ = try pipeline(device, name: "cached", glsl: Self.glsl, storageBindings: 1, cache: reloaded)
        }
    }

    @Test(arguments: ["garbage", "truncated", "other-device"])
    func unusableFileIsIgnored(kind: String) throws {
        try withValidatedDevice { device in
            let path = temporaryPath(kind)
            defer { try? FileManager.default.removeItem(atPath: path) }
            var bytes: [UInt8]
            switch kind {
            case "garbage": bytes = Array("this is not a pipeline cache, just text long enough".utf8)
            case "truncated": bytes = [32, 0, 0, 0, 1, 0, 0]
            default:
                // A well-formed header naming a different cache UUID.
                bytes = [32, 0, 0, 0, 1, 0, 0, 0]
                bytes += withUnsafeBytes(of: device.info.vendorID.littleEndian, Array.init)
                bytes += withUnsafeBytes(of: device.info.deviceID.littleEndian, Array.init)
                bytes += device.info.pipelineCacheUUID.map { ~$0 }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))

            let cache = try PipelineCache(device: device, path: path)
            guard case .ignored(let reason) = cache.origin else {
                Issue.record("expected the \(kind) file to be ignored, got \(cache.origin)")
                return
            }
            #expect(reason.hasPrefix(path))
            // Still a working cache.
            _ = try pipeline(device, name: "after-\(kind)", glsl: Self.glsl, storageBindings: 1, cache: cache)
            try cache.save(to: path)
            #expect(try PipelineCache(device: device, path: path).origin != cache.origin)
        }
    }
}
