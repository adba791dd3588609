import Dispatch
import Foundation
import SmeltArtifact
import SmeltCodegen
import SmeltEngine
import SmeltVulkan

/// Times the decode list one kernel kind at a time: a runtime whose decode
/// list holds only that kind's dispatches, replayed `times` times.
func profileKinds(model: LoadedModel, times: Int, attentionSplits: Int?, position: Int) throws {
    let instance = try VulkanInstance()
    let device = try VulkanDevice(instance: instance)
    let lowered = try Lowering.lower(graph: model.graph, store: model.store, options: LoweringOptions(
        modelName: model.config.name, contextLength: model.config.contextLength,
        maxTexelBufferBytes: Int(device.info.limits.maxTexelBufferElements) * DescriptorSet.texelBytes,
        maxUniformBufferRange: Int(device.info.limits.maxUniformBufferRange),
        attentionSplits: attentionSplits ?? LoweringOptions.attentionSplits(
            contextLength: model.config.contextLength, most: device.info.type == .cpu ? 1 : 16)))
    var kinds: [String] = []
    for case .dispatch(let d) in lowered.plan.decode {
        let kind = String(d.label.split(separator: " ")[0])
        if !kinds.contains(kind) { kinds.append(kind) }
    }
    for kind in kinds {
        var plan = lowered.plan
        plan.decode = plan.decode.filter {
            if case .dispatch(let d) = $0 { return d.label.split(separator: " ")[0] == kind } else { return true }
        }
        let count = plan.decode.filter { if case .dispatch = $0 { return true } else { return false } }.count
        let runtime = try lowered.weights.withUnsafeBytes { try VulkanRuntime(plan: plan, weights: $0, device: device) }
        try runtime.buffer(plan.controlBuffer).write([UInt32(position), 1])
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0 ..< times { try runtime.replayDecode() }
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(times)
        print(String(format: "%-12@ %4d dispatches  %8.2f ms per decode step", kind, count, ms))
    }
}
