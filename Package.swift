// swift-tools-version:6.1
import PackageDescription

// Layering (see DESIGN.md): SmeltIR knows nothing of weights or devices;
// SmeltModels reads checkpoints; SmeltReference is the CPU oracle;
// SmeltPasses (Passes/) and SmeltCodegen (Codegen/) are the compiler;
// only SmeltVulkan sees Vulkan types; SmeltEngine drives generation;
// `smelt` is a thin CLI.
let package = Package(
    name: "Smelt",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "smelt", targets: ["smelt"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .target(name: "SmeltIR", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "SmeltModels", dependencies: ["SmeltIR"]),
        .target(name: "SmeltReference", dependencies: ["SmeltIR", "SmeltModels"]),
        .systemLibrary(name: "CVulkan", path: "Sources/CVulkan"),
        .systemLibrary(name: "CShaderc", path: "Sources/CShaderc"),
        .target(name: "SmeltArtifact", dependencies: ["SmeltIR"]),
        .target(name: "SmeltPasses", dependencies: ["SmeltIR"], path: "Passes"),
        .target(name: "SmeltCodegen", dependencies: ["CShaderc", "SmeltIR", "SmeltModels", "SmeltArtifact"], path: "Codegen"),
        .target(name: "SmeltVulkan", dependencies: ["CVulkan", "SmeltArtifact"]),
        .target(name: "SmeltEngine",
                dependencies: ["SmeltIR", "SmeltModels", "SmeltReference", "SmeltArtifact", "SmeltPasses", "SmeltCodegen",
                               "SmeltVulkan"]),
        .executableTarget(
            name: "smelt",
            dependencies: ["SmeltEngine", "SmeltArtifact", "SmeltVulkan", "SmeltPasses", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Encode/decode throughput on the real vocabulary (not part of `smelt`).
        .executableTarget(name: "tokenizer-bench", dependencies: ["SmeltModels"], path: "Benchmarks/TokenizerBench"),
        // Write/verify throughput of .smelt files (not part of `smelt`).
        .executableTarget(name: "artifact-bench", dependencies: ["SmeltArtifact"], path: "Benchmarks/ArtifactBench"),
        // Decode and prefill throughput of the Vulkan backend on a model.
        .executableTarget(name: "vulkan-bench", dependencies: ["SmeltEngine", "SmeltVulkan", "SmeltCodegen", "SmeltArtifact", "SmeltIR"], path: "Benchmarks/VulkanBench"),
        // Weight-kernel matvec throughput on Gemma-3 270M shapes (not part of `smelt`).
        .executableTarget(name: "matvec-bench", dependencies: ["SmeltCodegen", "SmeltVulkan", "SmeltModels"],
                          path: "Benchmarks/MatvecBench"),
        .testTarget(name: "SmeltIRTests", dependencies: ["SmeltIR"]),
        .testTarget(name: "SmeltPassesTests", dependencies: ["SmeltPasses", "SmeltIR"], exclude: ["Golden"]),
        .testTarget(name: "SmeltModelsTests", dependencies: ["SmeltModels"]),
        .testTarget(name: "SmeltReferenceTests", dependencies: ["SmeltReference", "SmeltModels"]),
        .testTarget(name: "SmeltCodegenTests", dependencies: ["SmeltCodegen"], exclude: ["Golden"]),
        .testTarget(name: "SmeltVulkanTests", dependencies: ["SmeltVulkan", "SmeltCodegen"]),
        .testTarget(name: "SmeltArtifactTests", dependencies: ["SmeltArtifact", "SmeltIR"]),
        .testTarget(name: "SmeltVulkanBackendTests",
                    dependencies: ["SmeltEngine", "SmeltVulkan", "SmeltCodegen", "SmeltReference", "SmeltModels", "SmeltIR"]),
        .testTarget(name: "SmeltKernelTests",
                    dependencies: ["SmeltCodegen", "SmeltVulkan", "SmeltModels", "SmeltReference", "SmeltArtifact"]),
        .testTarget(name: "SmeltEndToEndTests", dependencies: ["SmeltEngine", "SmeltReference", "SmeltIR", "SmeltModels", "SmeltArtifact"]),
    ],
    swiftLanguageModes: [.v5]
)
