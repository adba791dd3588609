extension KernelTemplate {
    /// f32 weights: one `uvec4` is four weights.
    public static let weightF32 = KernelTemplate(name: "weight_f32", source: WeightKernelSkeleton.source(decode: """
            clearPart();
            {{OUTER}} for (uint k = 0u; k < XW; ++k) {
                fma4(uintBitsToFloat(W(wb + k)), k);
            }
            flush(1.0);
        """))

    /// f16 weights: one `uvec4` is eight weights.
    public static let weightF16 = KernelTemplate(name: "weight_f16", source: WeightKernelSkeleton.source(decode: """
            clearPart();
            {{OUTER}} for (uint k = 0u; k < COLS / 8u; ++k) {
                uvec4 u = W(wb + k);
                fma4(vec4(unpackHalf2x16(u.x), unpackHalf2x16(u.y)), 2u * k);
                fma4(vec4(unpackHalf2x16(u.z), unpackHalf2x16(u.w)), 2u * k + 1u);
            }
            flush(1.0);
        """))
}
