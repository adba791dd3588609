import Dispatch
import Foundation
import SmeltArtifact
import SmeltCodegen
import SmeltEngine
import SmeltIR
import SmeltVulkan

/// Times the decode list (or, with `prefill`, one full prefill chunk) one
/// kernel kind at a time: a runtime whose list holds only that kind's
/// dispatches, replayed `times` times. With `byOp`, one group per label
/// with its layer number dropped (`linear %q`, `linear %down`, ...).
func profileKinds(model: LoadedModel, times: Int, attentionSplits: Int?, position: Int, prefill: Bool,
                  chunk: Int, lanes: AttentionLanes?, byOp: Bool) throws {
    let instance = try VulkanInstance()
    let device = try VulkanDevice(instance: instance)
    let lowered = try Lowering.lower(graph: model.graph, store: model.store, options: VulkanBackend.loweringOptions(
        for: model, device: device, prefillChunk: chunk, attentionSplits: attentionSplits, attentionLanes: lanes))
    var kinds: [String] = []
    func kind(_ command: PlanCommand) -> String? {
        guard case .dispatch(let d) = command else { return nil }
        guard byOp else { return String(d.label.split(separator: " ")[0]) }
        // "linear %q.3" → "linear %q": the op's value name without its layer.
        return d.label.split(separator: " ").prefix(2).map { word in
            word.split(separator: ".").first.map(String.init) ?? String(word)
        }.joined(separator: " ")
    }
    let list = prefill ? lowered.plan.prefill : lowered.plan.decode
    for command in list {
        if let name = kind(command), !kinds.contains(name) { kinds.append(name) }
    }
    for name in kinds {
        var plan = lowered.plan
        let kept = list.filter { command in kind(command).map { $0 == name } ?? true }
        // Every kept command runs (a filtered list has no tail to skip).
        if prefill { (plan.prefill, plan.prefillTail) = (kept, nil) } else { plan.decode = kept }
        let count = kept.filter { kind($0) != nil }.count
        let runtime = try lowered.weights.withUnsafeBytes { try VulkanRuntime(plan: plan, weights: $0, device: device) }
        try runtime.buffer(plan.controlBuffer).write([UInt32(position), UInt32(prefill ? chunk : 1)])
        // One untimed replay first: the driver may finish compiling on first use.
        try prefill ? runtime.replayPrefill() : runtime.replayDecode()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0 ..< times { try prefill ? runtime.replayPrefill() : runtime.replayDecode() }
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(times)
        print(String(format: "%@ %4d dispatches  %9.2f ms per %@", name.padding(toLength: 22, withPad: " ", startingAt: 0),
                     count, ms,
                     prefill ? "prefill chunk of \(chunk)" : "decode step"))
    }
}
