import ArgumentParser
import SmeltVulkan

/// `smelt devices`: the Vulkan devices `--device N` can pick.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List Vulkan devices (the index is what --device takes).")

    func run() throws {
        let instance = try VulkanInstance()
        let devices = try VulkanDevice.enumerate(instance)
        if devices.isEmpty { print("no Vulkan devices (install Mesa's lavapipe: scripts/install-deps.sh)") }
        for d in devices {
            let range = d.limits.maxStorageBufferRange
            print("\(d.index): \(d.name)")
            print("   type \(d.type.rawValue), driver \(d.driverName) \(d.driverInfo), Vulkan \(d.apiVersion)")
            print("   maxStorageBufferRange \(range) (\(range >> 20) MiB), subgroup \(d.limits.subgroupSize), "
                + "UMA \(d.isUMA ? "yes" : "no")")
            if let why = d.unsupportedReason { print("   unusable: \(why)") }
        }
    }
}
