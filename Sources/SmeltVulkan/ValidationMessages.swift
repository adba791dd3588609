import CVulkan
import Foundation

/// One message from the validation layers (or the loader) through the
/// debug-utils messenger.
public struct ValidationMessage: Sendable, Hashable, CustomStringConvertible {
    /// How serious the layer says the message is.
    public enum Severity: String, Sendable, Hashable { case verbose, info, warning, error }

    public var severity: Severity
    /// `general`, `validation`, `performance` (comma-separated when several).
    public var kind: String
    /// The layer's message ID name, e.g. `SYNC-HAZARD-READ-AFTER-WRITE`.
    public var id: String
    public var text: String

    public var description: String { "[\(severity) \(kind)] \(id): \(text)" }
}

/// Thread-safe store the debug callback appends to. The callback runs on
/// whatever thread made the Vulkan call, so it takes a lock.
final class ValidationMessageSink: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [ValidationMessage] = []

    func append(_ message: ValidationMessage) {
        lock.lock()
        messages.append(message)
        lock.unlock()
    }

    func snapshot() -> [ValidationMessage] {
        lock.lock()
        defer { lock.unlock() }
        return messages
    }

    func removeAll() {
        lock.lock()
        messages.removeAll()
        lock.unlock()
    }

    /// The messenger setup for this sink: warnings and errors of every kind.
    /// Info and verbose are left out because the loader and layers emit them
    /// as a matter of course (which layers loaded, ...), and tests fail on
    /// any collected message.
    func createInfo() -> VkDebugUtilsMessengerCreateInfoEXT {
        var info = VkDebugUtilsMessengerCreateInfoEXT()
        info.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT
        info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT.rawValue
            | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT.rawValue
        info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT.rawValue
            | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT.rawValue
            | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT.rawValue
        info.pfnUserCallback = debugCallback
        info.pUserData = Unmanaged.passUnretained(self).toOpaque()
        return info
    }
}

/// The C callback; `userData` is the unretained sink, which the instance
/// keeps alive for as long as the messenger exists.
private let debugCallback: PFN_vkDebugUtilsMessengerCallbackEXT = { severity, types, data, userData in
    guard let userData, let data else { return VkBool32(0) }
    let sink = Unmanaged<ValidationMessageSink>.fromOpaque(userData).takeUnretainedValue()
    let level: ValidationMessage.Severity =
        if severity.rawValue & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT.rawValue != 0 { .error }
        else if severity.rawValue & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT.rawValue != 0 { .warning }
        else if severity.rawValue & VK_DEBUG_UTILS_MESSAGE_SEVERITY_INFO_BIT_EXT.rawValue != 0 { .info }
        else { .verbose }
    var kinds: [String] = []
    if types & VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT.rawValue != 0 { kinds.append("general") }
    if types & VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT.rawValue != 0 { kinds.append("validation") }
    if types & VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT.rawValue != 0 { kinds.append("performance") }
    sink.append(ValidationMessage(
        severity: level,
        kind: kinds.joined(separator: ","),
        id: data.pointee.pMessageIdName.map { String(cString: $0) } ?? "",
        text: data.pointee.pMessage.map { String(cString: $0) } ?? ""))
    // VK_FALSE: never abort the call that triggered the message.
    return VkBool32(0)
}
