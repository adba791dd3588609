import CVulkan

/// The Vulkan instance: loader connection, optional validation layers and
/// the messenger that collects their messages.
public final class VulkanInstance {
    /// How the instance is set up.
    public struct Options: Sendable {
        /// Load `VK_LAYER_KHRONOS_validation` and collect its messages.
        public var validation: Bool
        /// Also check synchronization (missing barriers, hazards between
        /// dispatches and submissions). Implies `validation`.
        public var synchronizationValidation: Bool
        public var applicationName: String

        public init(validation: Bool = false, synchronizationValidation: Bool = false,
                    applicationName: String = "smelt") {
            self.validation = validation || synchronizationValidation
            self.synchronizationValidation = synchronizationValidation
            self.applicationName = applicationName
        }
    }

    public static let validationLayerName = "VK_LAYER_KHRONOS_validation"

    let handle: VkInstance
    public let options: Options
    /// The API version the instance was created for (1.2 or 1.3).
    public let apiVersion: VulkanVersion
    private let sink = ValidationMessageSink()
    private var messenger: VkDebugUtilsMessengerEXT?
    private var destroyMessenger: PFN_vkDestroyDebugUtilsMessengerEXT?

    public init(_ options: Options = Options()) throws {
        self.options = options

        var loaderVersion: UInt32 = 0
        try check(vkEnumerateInstanceVersion(&loaderVersion), "vkEnumerateInstanceVersion")
        guard VulkanVersion(packed: loaderVersion) >= minimumAPIVersion else {
            throw VulkanError.unsupported(
                "the Vulkan loader supports \(VulkanVersion(packed: loaderVersion)); Smelt needs \(minimumAPIVersion)")
        }
        let requested = min(loaderVersion, makeAPIVersion(1, 3))
        apiVersion = VulkanVersion(packed: requested)

        var layers: [String] = []
        var extensions: [String] = []
        if options.validation {
            let available = try enumerate("vkEnumerateInstanceLayerProperties", zero: VkLayerProperties()) {
                vkEnumerateInstanceLayerProperties($0, $1)
            }.map { string(fromCArray: $0.layerName) }
            guard available.contains(Self.validationLayerName) else {
                throw VulkanError.unsupported(
                    "validation was requested but \(Self.validationLayerName) is not installed "
                        + "(Debian: apt-get install vulkan-validationlayers, or run scripts/install-deps.sh)")
            }
            layers.append(Self.validationLayerName)
            let layerExtensions = try Self.extensionNames(layer: Self.validationLayerName)
            let allExtensions = try Self.extensionNames(layer: nil).union(layerExtensions)
            for name in ["VK_EXT_debug_utils"] + (options.synchronizationValidation ? ["VK_EXT_validation_features"] : []) {
                guard allExtensions.contains(name) else {
                    throw VulkanError.unsupported("validation needs the instance extension \(name), which is missing")
                }
                extensions.append(name)
            }
        }

        let arena = CArena()
        defer { arena.release() }
        var appInfo = VkApplicationInfo()
        appInfo.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO
        appInfo.pApplicationName = arena.cString(options.applicationName)
        appInfo.pEngineName = arena.cString("Smelt")
        appInfo.apiVersion = requested

        var info = VkInstanceCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO
        info.pApplicationInfo = UnsafePointer(arena.pointer(to: appInfo))
        info.enabledLayerCount = UInt32(layers.count)
        info.ppEnabledLayerNames = arena.cStrings(layers)
        info.enabledExtensionCount = UInt32(extensions.count)
        info.ppEnabledExtensionNames = arena.cStrings(extensions)
        if options.validation {
            // The messenger info is chained too, so messages from instance
            // creation and destruction are collected.
            var next = UnsafeRawPointer(arena.pointer(to: sink.createInfo()))
            if options.synchronizationValidation {
                var features = VkValidationFeaturesEXT()
                features.sType = VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT
                features.pNext = next
                let enabled = [VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT]
                features.enabledValidationFeatureCount = UInt32(enabled.count)
                features.pEnabledValidationFeatures = UnsafePointer(arena.array(enabled))
                next = UnsafeRawPointer(arena.pointer(to: features))
            }
            info.pNext = next
        }
        var instance: VkInstance?
        try check(vkCreateInstance(&info, nil, &instance), "vkCreateInstance")
        guard let instance else { throw VulkanError.callFailed(call: "vkCreateInstance", result: "null handle", code: 0) }
        handle = instance

        if options.validation {
            try createMessenger()
        }
    }

    deinit {
        if let messenger, let destroyMessenger {
            destroyMessenger(handle, messenger, nil)
        }
        vkDestroyInstance(handle, nil)
    }

    /// Warnings and errors collected so far (empty without validation).
    public var validationMessages: [ValidationMessage] { sink.snapshot() }

    /// Forgets the collected messages.
    public func clearValidationMessages() { sink.removeAll() }

    /// Every physical device with what it can do (`VulkanDevice.enumerate`).
    func physicalDevices() throws -> [PhysicalDeviceInfo] {
        try queryPhysicalDevices(handle).map(\.info)
    }

    private func createMessenger() throws {
        guard let create = unsafeBitCast(
                vkGetInstanceProcAddr(handle, "vkCreateDebugUtilsMessengerEXT"),
                to: PFN_vkCreateDebugUtilsMessengerEXT?.self),
              let destroy = unsafeBitCast(
                vkGetInstanceProcAddr(handle, "vkDestroyDebugUtilsMessengerEXT"),
                to: PFN_vkDestroyDebugUtilsMessengerEXT?.self)
        else {
            throw VulkanError.unsupported("VK_EXT_debug_utils is enabled but its functions are missing")
        }
        var info = sink.createInfo()
        var messenger: VkDebugUtilsMessengerEXT?
        try check(create(handle, &info, nil, &messenger), "vkCreateDebugUtilsMessengerEXT")
        self.messenger = messenger
        destroyMessenger = destroy
    }

    private static func extensionNames(layer: String?) throws -> Set<String> {
        let properties = try enumerate("vkEnumerateInstanceExtensionProperties", zero: VkExtensionProperties()) {
            count, items in
            if let layer { return vkEnumerateInstanceExtensionProperties(layer, count, items) }
            return vkEnumerateInstanceExtensionProperties(nil, count, items)
        }
        return Set(properties.map { string(fromCArray: $0.extensionName) })
    }
}
