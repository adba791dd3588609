extension KernelTemplate {
    /// Samples the next token on the device with the control block's sampler
    /// words (`ControlBlock`), writes it to tokens[0] and output[position +
    /// count], then advances the step: position += count, count = 1.
    ///
    /// Temperature 0 is greedy: the first index of the largest logit (NaN
    /// never wins, −0 ties with +0); no random number is drawn. Otherwise it
    /// follows `CPUKernels.sample`: candidates are the non-NaN logits ranked
    /// by (logit descending, index ascending); top-k keeps the first k (0 =
    /// all); p ∝ exp((logit − max) / temperature); top-p keeps the shortest
    /// ranked prefix whose mass reaches p; one SplitMix64 draw u picks the
    /// first candidate whose running mass exceeds u · kept mass; the
    /// generator state is written back so the next replay continues it.
    ///
    /// No sort: ranks are found by selection. Logits become order-preserving
    /// integer keys, so (key, index) ranks exactly like the host. A search for
    /// "the first rank where the running count or mass meets a target" splits
    /// an interval of keys into 16 power-of-two buckets per pass over the
    /// vocabulary (count and mass per bucket, summed per invocation in a fixed
    /// order, then across invocations in a fixed order), keeps the bucket
    /// where the target is met, and stops when at most CAP candidates are
    /// left: those are gathered, ranked in shared memory and scanned in order.
    /// A bucket holding a single key with more than CAP ties is split by
    /// index. Logits are 32-bit keys, so a search takes at most 8 passes (13
    /// with ties), typically 3–5.
    ///
    /// Where it can differ from the host: probabilities and sums are f32 here
    /// (Double on the host, summed in rank order) and u has 24 random bits
    /// (53 on the host), so the pick differs only when u · mass or p · mass
    /// falls within float rounding (~1e-5 relative) of a running-mass
    /// boundary. Ranks, ties, NaNs, top-k and the generator are exact.
    ///
    /// Errors: a sampled step whose logits have no finite maximum (all NaN,
    /// or the maximum is ±∞), or a greedy step whose logits are all NaN,
    /// sets bit 0 of ctl[STATUS] and writes the greedy choice (0 if none).
    public static let sample = KernelTemplate(name: "sample", source: sampleHeader + sampleHelpers + sampleSearch
        + sampleMain)
}

extension KernelSpec {
    /// Bindings ctl (0, read-write), logits (1, texel buffer of 4 logits per
    /// texel: the buffer is padded to whole texels), tokens (2), output (3);
    /// push vocab, capacity (output entries); dispatch 1 workgroup.
    public static let sample = KernelSpec(
        name: "sample", template: KernelTemplate.sample.name, workgroupSize: .init(64),
        bindings: [
            .init(name: "ctl", binding: 0, access: .readWrite, elementType: "uint"),
            .init(name: "logits", binding: 1, kind: .texel, access: .readOnly, elementType: "uvec4"),
            .init(name: "tokens", binding: 2, access: .writeOnly, elementType: "int"),
            .init(name: "outputIDs", binding: 3, access: .writeOnly, elementType: "int"),
        ],
        pushConstants: [.init(name: "vocab", type: .uint), .init(name: "capacity", type: .uint)])
}

private let sampleHeader = """
    #version 450
    #extension GL_EXT_control_flow_attributes : require
    #extension GL_EXT_samplerless_texture_functions : require
    {{WORKGROUP_SIZE}}
    {{BINDINGS}}
    {{PUSH_CONSTANTS}}

    // ControlBlock word indices.
    const uint TEMPERATURE = 2u, TOP_K = 3u, TOP_P = 4u, RNG_LOW = 5u, RNG_HIGH = 6u, STATUS = 7u;
    const uint WG = gl_WorkGroupSize.x;
    const uint BUCKETS = 16u, BUCKET_BITS = 4u;
    const uint CAP = 256u;
    const uint NONE = 0xffffffffu;
    // Keys of -inf and +inf; key 0 is a NaN (never a candidate).
    const uint KEY_NEG_INF = 0x007fffffu, KEY_POS_INF = 0xff800000u;
    // What a search looks for: the first rank whose running count reaches
    // `need`, whose running mass reaches `target`, or exceeds it.
    const uint COUNT_AT_LEAST = 0u, MASS_AT_LEAST = 1u, MASS_ABOVE = 2u;

    shared uint bucketCount[BUCKETS * WG];
    shared float bucketMass[BUCKETS * WG];
    shared uint listKey[CAP];
    shared uint listIndex[CAP];
    shared float listP[CAP];
    shared uint listOrder[CAP];
    shared uint listSize;
    shared uint resultWords[4];

    // The candidates are the ranks up to and including (key, index); `count`
    // of them, of total probability `mass`.
    struct Cut { uint key; uint index; uint count; float mass; };


    """

private let sampleHelpers = """
    // Larger key ⇔ larger value. NaN → 0; −0 → the key of +0.
    uint keyOf(uint bits) {
        uint magnitude = bits & 0x7fffffffu;
        if (magnitude > 0x7f800000u) { return 0u; }
        if (magnitude == 0u) { return 0x80000000u; }
        return (bits & 0x80000000u) != 0u ? ~bits : (bits | 0x80000000u);
    }

    float valueOf(uint key) {
        return uintBitsToFloat((key & 0x80000000u) != 0u ? (key & 0x7fffffffu) : ~key);
    }

    bool ranksWithin(uint key, uint index, Cut cut) {
        return key > cut.key || (key == cut.key && index <= cut.index);
    }

    bool meets(uint mode, uint count, float mass, uint need, float target) {
        if (mode == COUNT_AT_LEAST) { return count >= need; }
        return mode == MASS_AT_LEAST ? mass >= target : mass > target;
    }

    // SplitMix64 (SmeltModels.SplitMix64) on (low, high) 32-bit halves.
    uvec2 add64(uvec2 a, uvec2 b) {
        uint carry;
        uint low = uaddCarry(a.x, b.x, carry);
        return uvec2(low, a.y + b.y + carry);
    }

    uvec2 mul64(uvec2 a, uvec2 b) {
        uint high, low;
        umulExtended(a.x, b.x, high, low);
        return uvec2(low, high + a.x * b.y + a.y * b.x);
    }

    uvec2 xorShiftRight(uvec2 z, uint n) {  // z ^ (z >> n), 0 < n < 32
        return z ^ uvec2((z.x >> n) | (z.y << (32u - n)), z.y >> n);
    }

    uvec2 nextRandom(inout uvec2 state) {
        state = add64(state, uvec2(0x7f4a7c15u, 0x9e3779b9u));
        uvec2 z = mul64(xorShiftRight(state, 30u), uvec2(0x1ce4e5b9u, 0xbf58476du));
        z = mul64(xorShiftRight(z, 27u), uvec2(0x133111ebu, 0x94d049bbu));
        return xorShiftRight(z, 31u);
    }

    // Σ p over the candidates of `cut`: per invocation in index order, then
    // the 64 partial sums in invocation order.
    float totalMass(Cut cut, float maximum, float temperature) {
        uint tid = gl_LocalInvocationID.x;
        float mass = 0.0;
        for (uint t = tid; t < (pc.vocab + 3u) / 4u; t += WG) {
            uvec4 v = texelFetch(logits, int(t));
            [[unroll]] for (uint c = 0u; c < 4u; ++c) {
                uint i = 4u * t + c;
                uint key = keyOf(v[c]);
                if (i < pc.vocab && key != 0u && ranksWithin(key, i, cut)) {
                    mass += exp((valueOf(key) - maximum) / temperature);
                }
            }
        }
        bucketMass[tid] = mass;
        barrier();
        float total = 0.0;
        for (uint j = 0u; j < WG; ++j) { total += bucketMass[j]; }
        barrier();
        return total;
    }


    """
