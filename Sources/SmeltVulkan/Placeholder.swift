// The Vulkan runtime (in progress).
