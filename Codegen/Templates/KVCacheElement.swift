import SmeltIR

/// How a KV cache stores its elements (kv_write's `dtype`, chosen by
/// select-kv-layout). Element (position, head, d) sits at element offset
/// `o = position · posStride + head · headStride + d` of its cache:
/// - `f32`: the float at word o;
/// - `f16`: half o % 2 of word o / 2;
/// - `q8_0`: byte o of the cache holds round(x · (127 / amax)) (nearest,
///   ties to even) as a signed byte, amax being the largest magnitude of
///   its block of 32, whose f32 scale `amax · (1 / 127)` is at word
///   `scales + o / 32`; `scales` follows the bytes
///   (capacity · kvHeads · headDim / 4 words in). A head's blocks never
///   straddle two heads, so headDim is a multiple of 32.
public enum KVCacheElement: String, Sendable, Hashable, CaseIterable {
    case f32, f16, q8_0

    /// The suffix of kernel names that read or write this cache.
    var kernelSuffix: String { self == .f32 ? "_f32" : "_kv_\(rawValue)" }

    /// Template parameters: KV_F16 and KV_Q8.
    var parameters: [String: String] {
        ["KV_F16": self == .f16 ? "1" : "0", "KV_Q8": self == .q8_0 ? "1" : "0"]
    }

    /// The element type of a cache binding a kernel writes through.
    var storedType: String { self == .f32 ? "float" : "uint" }

    /// Head sizes must be a multiple of this (what one quant block or one
    /// 16-byte read covers).
    public var headDimMultiple: Int {
        switch self {
        case .f32: 4
        case .f16: 8
        case .q8_0: DType.q8_0.blockSize
        }
    }

    /// Bytes of a cache of `elements` values, a whole number of 16-byte
    /// texels (the attention kernels may read it as a texel buffer).
    public func cacheBytes(elements: Int) -> Int {
        let bytes = switch self {
        case .f32: elements * 4
        case .f16: elements * 2
        case .q8_0: elements + elements / DType.q8_0.blockSize * 4
        }
        return (bytes + 15) / 16 * 16
    }

    /// The word at which a cache of `elements` values keeps its q8_0
    /// scales (0 for the other types, which have none).
    public func scalesWord(elements: Int) -> Int { self == .q8_0 ? elements / 4 : 0 }
}

extension KernelTemplate {
    /// GLSL for q8_0 caches: `q8Block` quantizes 32 values into 8 words
    /// and returns their scale; `q8Bytes` unpacks a word's 4 signed bytes.
    static let q8CacheFunctions = """
        float q8Block(float x[32], out uint words[8]) {
            float amax = 0.0;
            for (uint j = 0u; j < 32u; j++) { amax = max(amax, abs(x[j])); }
            float inverse = amax > 0.0 ? 127.0 / amax : 0.0;
            for (uint j = 0u; j < 8u; j++) {
                ivec4 q = clamp(ivec4(roundEven(vec4(x[4u * j], x[4u * j + 1u], x[4u * j + 2u], x[4u * j + 3u]) * inverse)),
                                ivec4(-127), ivec4(127));
                uvec4 b = uvec4(q) & 255u;
                words[j] = b.x | (b.y << 8u) | (b.z << 16u) | (b.w << 24u);
            }
            return amax * (1.0 / 127.0);
        }
        vec4 q8Bytes(uint w) { return vec4(ivec4(uvec4(w << 24u, w << 16u, w << 8u, w)) >> 24); }
        """
}
