// The Vulkan C API, imported only by the SmeltVulkan target.
#include <vulkan/vulkan.h>
