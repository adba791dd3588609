#!/usr/bin/env bash
# Installs the Debian packages Smelt's Vulkan backend builds and tests with:
# the Vulkan loader and headers, shaderc (static libraries) and glslc, Mesa's
# drivers (lavapipe, a CPU Vulkan device, so tests run without a GPU),
# SPIRV-Tools and the Khronos validation layers the tests turn on.
# Does nothing when everything is already installed.
set -euo pipefail

packages=(libvulkan-dev libshaderc-dev glslc mesa-vulkan-drivers spirv-tools vulkan-validationlayers)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg -s "$package" >/dev/null 2>&1; then
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all packages present (${packages[*]})"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get update
"${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
