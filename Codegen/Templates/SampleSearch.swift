// The selection and the entry point of the `sample` template (Sample.swift).

let sampleSearch = """
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


    """

let sampleMain = """
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

    """
