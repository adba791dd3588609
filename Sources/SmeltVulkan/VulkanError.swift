import CVulkan

/// A Vulkan failure, described for the person reading it.
public enum VulkanError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A Vulkan call returned an error code: `vkAllocateMemory failed:
    /// VK_ERROR_OUT_OF_DEVICE_MEMORY`.
    case callFailed(call: String, result: String, code: Int32)
    /// The installation or device lacks something Smelt needs.
    case unsupported(String)
    /// The caller asked for something impossible (an out-of-range binding,
    /// a misaligned window); the text names the object and the value.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .callFailed(let call, let result, let code):
            "\(call) failed: \(result) (\(code))"
        case .unsupported(let why):
            "unsupported: \(why)"
        case .invalidArgument(let why):
            why
        }
    }
}

/// Throws `VulkanError.callFailed` unless `result` is `VK_SUCCESS`.
///
/// Non-error status codes (`VK_INCOMPLETE`, `VK_TIMEOUT`, ...) also throw:
/// call sites that expect one check for it before calling `check`.
@inline(__always)
func check(_ result: VkResult, _ call: @autoclosure () -> String) throws {
    guard result == VK_SUCCESS else {
        throw VulkanError.callFailed(call: call(), result: resultName(result), code: result.rawValue)
    }
}

/// The specification's name for a result code.
func resultName(_ result: VkResult) -> String {
    switch result {
    case VK_SUCCESS: "VK_SUCCESS"
    case VK_NOT_READY: "VK_NOT_READY"
    case VK_TIMEOUT: "VK_TIMEOUT"
    case VK_EVENT_SET: "VK_EVENT_SET"
    case VK_EVENT_RESET: "VK_EVENT_RESET"
    case VK_INCOMPLETE: "VK_INCOMPLETE"
    case VK_ERROR_OUT_OF_HOST_MEMORY: "VK_ERROR_OUT_OF_HOST_MEMORY"
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: "VK_ERROR_OUT_OF_DEVICE_MEMORY"
    case VK_ERROR_INITIALIZATION_FAILED: "VK_ERROR_INITIALIZATION_FAILED"
    case VK_ERROR_DEVICE_LOST: "VK_ERROR_DEVICE_LOST"
    case VK_ERROR_MEMORY_MAP_FAILED: "VK_ERROR_MEMORY_MAP_FAILED"
    case VK_ERROR_LAYER_NOT_PRESENT: "VK_ERROR_LAYER_NOT_PRESENT"
    case VK_ERROR_EXTENSION_NOT_PRESENT: "VK_ERROR_EXTENSION_NOT_PRESENT"
    case VK_ERROR_FEATURE_NOT_PRESENT: "VK_ERROR_FEATURE_NOT_PRESENT"
    case VK_ERROR_INCOMPATIBLE_DRIVER: "VK_ERROR_INCOMPATIBLE_DRIVER"
    case VK_ERROR_TOO_MANY_OBJECTS: "VK_ERROR_TOO_MANY_OBJECTS"
    case VK_ERROR_FORMAT_NOT_SUPPORTED: "VK_ERROR_FORMAT_NOT_SUPPORTED"
    case VK_ERROR_FRAGMENTED_POOL: "VK_ERROR_FRAGMENTED_POOL"
    case VK_ERROR_UNKNOWN: "VK_ERROR_UNKNOWN"
    case VK_ERROR_OUT_OF_POOL_MEMORY: "VK_ERROR_OUT_OF_POOL_MEMORY"
    case VK_ERROR_INVALID_EXTERNAL_HANDLE: "VK_ERROR_INVALID_EXTERNAL_HANDLE"
    case VK_ERROR_FRAGMENTATION: "VK_ERROR_FRAGMENTATION"
    case VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS: "VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS"
    case VK_PIPELINE_COMPILE_REQUIRED: "VK_PIPELINE_COMPILE_REQUIRED"
    case VK_ERROR_VALIDATION_FAILED_EXT: "VK_ERROR_VALIDATION_FAILED_EXT"
    default: "VkResult(\(result.rawValue))"
    }
}
