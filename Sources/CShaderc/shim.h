// The shaderc C API, imported only by the SmeltCodegen target.
#include <shaderc/shaderc.h>
