import Foundation

/// Host ↔ device copies for buffers that are not mapped (device-local
/// memory on a discrete GPU, or any `.device` buffer when mapping is off).
extension MemoryAllocator {
    /// Staging buffers are at most this big; larger transfers go in chunks,
    /// so uploading a large tensor does not double its memory.
    static let stagingChunkSize = 16 << 20

    func stagedWrite(_ bytes: UnsafeRawBufferPointer, to buffer: Buffer, at offset: Int) throws {
        try staged(byteCount: bytes.count) { staging, commands, done, n in
            staging.hostPointer!.copyMemory(from: bytes.baseAddress! + done, byteCount: n)
            try commands.record { r in
                // Earlier dispatches that read or write the destination finish first.
                r.barrier(.computeToTransfer)
                try r.copy(from: staging.range(offset: 0, size: n), to: buffer.range(offset: offset + done, size: n))
                r.barrier(.transferToCompute)
            }
            try device.run(commands)
        }
    }

    func stagedRead(into destination: UnsafeMutableRawBufferPointer, from buffer: Buffer, at offset: Int) throws {
        try staged(byteCount: destination.count) { staging, commands, done, n in
            try commands.record { r in
                r.barrier(.computeToTransfer)
                try r.copy(from: buffer.range(offset: offset + done, size: n), to: staging.range(offset: 0, size: n))
                r.barrier(.transferToHost)
            }
            try device.run(commands)
            (destination.baseAddress! + done).copyMemory(from: staging.hostPointer!, byteCount: n)
        }
    }

    /// Runs `step(staging, commands, bytesDone, chunkBytes)` per chunk.
    private func staged(byteCount: Int,
                        _ step: (Buffer, CommandBuffer, Int, Int) throws -> Void) throws {
        let chunk = min(byteCount, Self.stagingChunkSize)
        let staging = try makeBuffer(size: chunk, location: .host, label: "staging")
        guard staging.isMapped else {
            throw VulkanError.unsupported("\(device.info.name): no host-visible coherent memory for staging")
        }
        let commands = try CommandBuffer(device: device)
        var done = 0
        while done < byteCount {
            let n = min(chunk, byteCount - done)
            try step(staging, commands, done, n)
            done += n
        }
    }
}
