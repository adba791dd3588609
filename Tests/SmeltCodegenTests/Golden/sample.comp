#version 450
#extension GL_EXT_control_flow_attributes : require
#extension GL_EXT_samplerless_texture_functions : require
layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;
layout(set = 0, binding = 0, std430) buffer ctl_block { uint ctl[]; };
layout(set = 0, binding = 1) uniform utextureBuffer logits;
layout(set = 0, binding = 2, std430) writeonly buffer tokens_block { int tokens[]; };
layout(set = 0, binding = 3, std430) writeonly buffer outputIDs_block { int outputIDs[]; };
layout(push_constant) uniform PushConstants {
    uint vocab;
    uint capacity;
} pc;

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

// Whether element (key, i) is a candidate of `cut` inside the searched
// interval: keys lo ... hi, or (fixedKey != 0) the indices ~hi ... ~lo
// of that one key.
bool searched(uint key, uint i, Cut cut, uint fixedKey, uint lo, uint hi) {
    uint coordinate = fixedKey == 0u ? key : ~i;
    return i < pc.vocab && key != 0u && ranksWithin(key, i, cut) && (fixedKey == 0u || key == fixedKey)
        && coordinate >= lo && coordinate <= hi;
}

// The first rank among `cut`'s candidates at which the running count or
// mass meets the target (the last candidate if it never does, which only
// rounding can cause), with the running count and mass there.
// `listReady`: the list already holds `cut`'s candidates, ranked.
Cut search(uint mode, uint need, float target, Cut cut, uint maxKey, float maximum, float temperature,
           inout bool listReady) {
    uint tid = gl_LocalInvocationID.x;
    uint texelCount = (pc.vocab + 3u) / 4u;
    uint fixedKey = 0u, lo = cut.key, hi = maxKey;
    uint inside = cut.count, aboveCount = 0u;
    float aboveMass = 0.0;
    bool whole = true;
    while (inside > CAP) {
        uint span = hi - lo;
        uint shift = span < BUCKETS ? 0u : uint(findMSB(span)) + 1u - BUCKET_BITS;
        uint counts[BUCKETS];
        float masses[BUCKETS];
        [[unroll]] for (uint b = 0u; b < BUCKETS; ++b) { counts[b] = 0u; masses[b] = 0.0; }
        for (uint t = tid; t < texelCount; t += WG) {
            uvec4 v = texelFetch(logits, int(t));
            [[unroll]] for (uint c = 0u; c < 4u; ++c) {
                uint i = 4u * t + c;
                uint key = keyOf(v[c]);
                if (searched(key, i, cut, fixedKey, lo, hi)) {
                    uint bucket = ((fixedKey == 0u ? key : ~i) - lo) >> shift;
                    float p = exp((valueOf(key) - maximum) / temperature);
                    [[unroll]] for (uint b = 0u; b < BUCKETS; ++b) {
                        if (bucket == b) { counts[b] += 1u; masses[b] += p; }
                    }
                }
            }
        }
        [[unroll]] for (uint b = 0u; b < BUCKETS; ++b) {
            bucketCount[b * WG + tid] = counts[b];
            bucketMass[b * WG + tid] = masses[b];
        }
        barrier();
        if (tid < BUCKETS) {
            uint n = 0u;
            float s = 0.0;
            for (uint j = 0u; j < WG; ++j) { n += bucketCount[tid * WG + j]; s += bucketMass[tid * WG + j]; }
            bucketCount[tid * WG] = n;
            bucketMass[tid * WG] = s;
        }
        barrier();
        // Every invocation reads the same totals and takes the same
        // decision: buckets from the highest (best ranked) down.
        uint chosen = NONE, last = NONE, countBefore = aboveCount;
        float massBefore = aboveMass;
        for (uint k = 0u; k < BUCKETS; ++k) {
            uint b = BUCKETS - 1u - k;
            uint n = bucketCount[b * WG];
            float s = bucketMass[b * WG];
            if (n == 0u) { continue; }
            if (meets(mode, aboveCount + n, aboveMass + s, need, target)) { chosen = b; break; }
            last = b;
            countBefore = aboveCount;
            massBefore = aboveMass;
            aboveCount += n;
            aboveMass += s;
        }
        if (chosen == NONE) {
            chosen = last;
            aboveCount = countBefore;
            aboveMass = massBefore;
        }
        inside = bucketCount[chosen * WG];
        barrier();
        uint width = 1u << shift;
        lo += chosen << shift;
        if (hi - lo >= width) { hi = lo + (width - 1u); }
        whole = false;
        if (fixedKey == 0u && lo == hi && inside > CAP) {
            fixedKey = lo;
            lo = ~(pc.vocab - 1u);
            hi = NONE;
        }
    }

    uint n = inside;
    if (!listReady) {
        if (tid == 0u) { listSize = 0u; }
        barrier();
        for (uint t = tid; t < texelCount; t += WG) {
            uvec4 v = texelFetch(logits, int(t));
            [[unroll]] for (uint c = 0u; c < 4u; ++c) {
                uint i = 4u * t + c;
                uint key = keyOf(v[c]);
                if (searched(key, i, cut, fixedKey, lo, hi)) {
                    uint slot = atomicAdd(listSize, 1u);
                    if (slot < CAP) {
                        listKey[slot] = key;
                        listIndex[slot] = i;
                        listP[slot] = exp((valueOf(key) - maximum) / temperature);
                    }
                }
            }
        }
        barrier();
        // Rank = how many gathered candidates rank before this one.
        for (uint s = tid; s < n; s += WG) {
            uint key = listKey[s], index = listIndex[s], rank = 0u;
            for (uint j = 0u; j < n; ++j) {
                rank += listKey[j] > key || (listKey[j] == key && listIndex[j] < index) ? 1u : 0u;
            }
            listOrder[rank] = s;
        }
        barrier();
        listReady = whole;
    }
    if (tid == 0u) {
        uint count = aboveCount, pick = n - 1u;
        float mass = aboveMass;
        for (uint r = 0u; r < n; ++r) {
            count += 1u;
            mass += listP[listOrder[r]];
            if (meets(mode, count, mass, need, target)) { pick = r; break; }
        }
        uint s = listOrder[pick];
        resultWords[0] = listKey[s];
        resultWords[1] = listIndex[s];
        resultWords[2] = count;
        resultWords[3] = floatBitsToUint(mass);
    }
    barrier();
    Cut result = Cut(resultWords[0], resultWords[1], resultWords[2], uintBitsToFloat(resultWords[3]));
    barrier();
    return result;
}

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint texelCount = (pc.vocab + 3u) / 4u;
    uint position = ctl[0], count = ctl[1], topK = ctl[TOP_K];
    float temperature = uintBitsToFloat(ctl[TEMPERATURE]), topP = uintBitsToFloat(ctl[TOP_P]);
    uvec2 state = uvec2(ctl[RNG_LOW], ctl[RNG_HIGH]);

    // The largest key (lowest index on ties) and how many logits are not NaN.
    uint bestKey = 0u, bestIndex = NONE, valid = 0u;
    for (uint t = tid; t < texelCount; t += WG) {
        uvec4 v = texelFetch(logits, int(t));
        [[unroll]] for (uint c = 0u; c < 4u; ++c) {
            uint key = 4u * t + c < pc.vocab ? keyOf(v[c]) : 0u;
            valid += key != 0u ? 1u : 0u;
            if (key > bestKey) { bestKey = key; bestIndex = 4u * t + c; }
        }
    }
    bucketCount[tid] = bestKey;
    bucketCount[WG + tid] = bestIndex;
    bucketCount[2u * WG + tid] = valid;
    barrier();
    bestKey = 0u;
    bestIndex = NONE;
    valid = 0u;
    for (uint j = 0u; j < WG; ++j) {
        uint key = bucketCount[j], index = bucketCount[WG + j];
        if (key > bestKey || (key == bestKey && key != 0u && index < bestIndex)) { bestKey = key; bestIndex = index; }
        valid += bucketCount[2u * WG + j];
    }
    barrier();

    uint token = bestIndex == NONE ? 0u : bestIndex;
    bool failed = bestIndex == NONE, drew = false;
    if (temperature > 0.0) {
        failed = bestKey == 0u || bestKey == KEY_NEG_INF || bestKey == KEY_POS_INF;
        if (!failed) {
            float maximum = valueOf(bestKey);
            bool listReady = false;
            Cut kept = Cut(1u, 0u, valid, 0.0);
            if (topK > 0u && topK < valid) {
                kept = search(COUNT_AT_LEAST, topK, 0.0, kept, bestKey, maximum, temperature, listReady);
            } else {
                kept.mass = totalMass(kept, maximum, temperature);
            }
            if (topP < 1.0) {
                kept = search(MASS_AT_LEAST, 0u, topP * kept.mass, kept, bestKey, maximum, temperature, listReady);
            }
            uvec2 z = nextRandom(state);
            float u = float(z.y >> 8u) * (1.0 / 16777216.0);
            token = search(MASS_ABOVE, 0u, u * kept.mass, kept, bestKey, maximum, temperature, listReady).index;
            drew = true;
        }
    }

    if (tid == 0u) {
        uint next = position + count;
        tokens[0] = int(token);
        if (next < pc.capacity) { outputIDs[next] = int(token); }
        ctl[0] = next;
        ctl[1] = 1u;
        if (drew) {
            ctl[RNG_LOW] = state.x;
            ctl[RNG_HIGH] = state.y;
        }
        if (failed) { ctl[STATUS] |= 1u; }
    }
}
