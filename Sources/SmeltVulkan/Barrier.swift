import CVulkan

/// A global memory barrier: work in `from` stages, and its writes, finish
/// and become visible before work in `to` stages starts.
///
/// A barrier's first scope covers everything earlier in submission order,
/// including earlier submissions, so a replayed command buffer that starts
/// with `.computeToCompute` is ordered after the previous replay.
public struct Barrier: Sendable, Hashable {
    /// Where accesses happen.
    public struct Stages: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let compute = Stages(rawValue: 1)
        public static let transfer = Stages(rawValue: 2)
        public static let host = Stages(rawValue: 4)
    }

    public var from: Stages
    public var to: Stages

    public init(from: Stages, to: Stages) {
        self.from = from
        self.to = to
    }

    /// Between two dispatches that share buffers (covers read-after-write,
    /// write-after-write and write-after-read).
    public static let computeToCompute = Barrier(from: .compute, to: .compute)
    /// Before the host reads what a dispatch wrote (after the fence wait).
    public static let computeToHost = Barrier(from: .compute, to: .host)
    public static let computeToTransfer = Barrier(from: .compute, to: .transfer)
    public static let transferToCompute = Barrier(from: .transfer, to: .compute)
    public static let transferToHost = Barrier(from: .transfer, to: .host)

    var sourceStageMask: VkPipelineStageFlags { Self.stageMask(from) }
    var destinationStageMask: VkPipelineStageFlags { Self.stageMask(to) }

    /// Only writes need to be made available; reads just need the
    /// execution dependency the stage masks give.
    var sourceAccessMask: VkAccessFlags {
        Self.mask(from, compute: [VK_ACCESS_SHADER_WRITE_BIT], transfer: [VK_ACCESS_TRANSFER_WRITE_BIT],
                  host: [VK_ACCESS_HOST_WRITE_BIT])
    }

    var destinationAccessMask: VkAccessFlags {
        Self.mask(to, compute: [VK_ACCESS_SHADER_READ_BIT, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_UNIFORM_READ_BIT],
                  transfer: [VK_ACCESS_TRANSFER_READ_BIT, VK_ACCESS_TRANSFER_WRITE_BIT],
                  host: [VK_ACCESS_HOST_READ_BIT, VK_ACCESS_HOST_WRITE_BIT])
    }

    private static func stageMask(_ stages: Stages) -> VkPipelineStageFlags {
        mask(stages, compute: [VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT], transfer: [VK_PIPELINE_STAGE_TRANSFER_BIT],
             host: [VK_PIPELINE_STAGE_HOST_BIT])
    }

    /// ORs the flags listed for each stage in `stages`.
    private static func mask<Bit: RawRepresentable>(
        _ stages: Stages, compute: [Bit], transfer: [Bit], host: [Bit]
    ) -> UInt32 where Bit.RawValue == UInt32 {
        let chosen = (stages.contains(.compute) ? compute : []) + (stages.contains(.transfer) ? transfer : [])
            + (stages.contains(.host) ? host : [])
        return chosen.reduce(0) { $0 | $1.rawValue }
    }
}
