#version 450
#extension GL_EXT_control_flow_attributes : require
#extension GL_EXT_samplerless_texture_functions : require
// y[t, rowOffset + r] (=|+=) dot(W[r, :], x[t, :]) for r < rowCount and
// tokens t < COUNT; W is one window of packed row records (PackedLayout).

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(constant_id = 0) const uint ROWS = 1u;
layout(constant_id = 1) const uint COLS = 1u;
layout(constant_id = 2) const uint ROW_WORDS = 1u;
layout(constant_id = 3) const uint S1 = 1u;
layout(constant_id = 4) const uint S2 = 1u;
layout(constant_id = 5) const uint S3 = 1u;

layout(set = 0, binding = 0) uniform utextureBuffer w;
layout(set = 0, binding = 1, std430) readonly buffer xin_block { vec4 xin[]; };
layout(set = 0, binding = 2, std430) coherent buffer y_block { float y[]; };
layout(set = 0, binding = 3, std430) readonly buffer control_block { uint control[]; };
layout(set = 0, binding = 4, std430) readonly buffer wq_block { float wq[]; };
layout(set = 0, binding = 5, std430) readonly buffer wk_block { float wk[]; };
layout(set = 0, binding = 6, std430) writeonly buffer qo_block { float qo[]; };
layout(set = 0, binding = 7, std430) writeonly buffer kc_block { uint kc[]; };
layout(set = 0, binding = 8, std430) writeonly buffer vc_block { uint vc[]; };

layout(push_constant) uniform PushConstants {
    uint rowOffset;
    uint rowCount;
    uint qHeads;
    uint kvHeads;
    uint headDim;
    uint rotary;
    uint neox;
    float theta;
    uint hasNorm;
    float eps;
    uint capacity;
    uint posStride;
    uint headStride;
    uint scales;
} pc;

const uint TILE = 1u;
const uint XW = COLS / 4u;
#define STAGE_X 1
#define PAIR 1
const uint ROWS_PER = 2u;
#if STAGE_X
shared vec4 x[TILE * XW];
#endif

float acc[TILE];
vec4 part[TILE];
vec4 xsum[TILE];
uint xrow[TILE];

uvec4 W(uint i) { return texelFetch(w, int(i)); }

float hsum(vec4 v) { return (v.x + v.y) + (v.z + v.w); }

void clearPart() {
    [[unroll]] for (uint t = 0u; t < TILE; ++t) { part[t] = vec4(0.0); xsum[t] = vec4(0.0); }
}

// part[t] += q * x[t][4k .. 4k+3]
void fma4(vec4 q, uint k) {
    [[unroll]] for (uint t = 0u; t < TILE; ++t) { part[t] += q * x[xrow[t] + k]; }
}

// As fma4, also summing x for formats with a per-block minimum.
void fma4sum(vec4 q, uint k) {
    [[unroll]] for (uint t = 0u; t < TILE; ++t) {
        vec4 xv = x[xrow[t] + k];
        part[t] += q * xv;
        xsum[t] += xv;
    }
}

void flush(float scale) {
    [[unroll]] for (uint t = 0u; t < TILE; ++t) { acc[t] += scale * hsum(part[t]); }
}

void flushMin(float scale, float minimum) {
    [[unroll]] for (uint t = 0u; t < TILE; ++t) {
        acc[t] += scale * hsum(part[t]) - minimum * hsum(xsum[t]);
    }
}

// The four bytes of w, lowest first, and the nibbles at bit `shift` of
// each byte, as ints: small unsigned values convert to float through
// int, one instruction on x86 where an unsigned conversion is a sequence.
ivec4 ubytes(uint w) { return ivec4((uvec4(w) >> uvec4(0u, 8u, 16u, 24u)) & 0xFFu); }
ivec4 unibbles(uint w, uint shift) { return ivec4((uvec4(w) >> (uvec4(0u, 8u, 16u, 24u) + shift)) & 0xFu); }
// The bytes as unsigned / signed values, and the nibbles.
vec4 bytes4(uint w) { return vec4(ubytes(w)); }
vec4 sbytes4(uint w) { return vec4(ivec4(uvec4(w) << uvec4(24u, 16u, 8u, 0u)) >> 24); }
vec4 nibbles4(uint w, uint shift) { return vec4(unibbles(w, shift)); }
// bytes4 / nibbles4 less an offset, subtracted before the conversion:
// a float subtraction after it made Q6_K's matvec 6x slower on lavapipe.
vec4 bytes4Less(uint w, int offset) { return vec4(ubytes(w) - offset); }
vec4 nibbles4Less(uint w, uint shift, int offset) { return vec4(unibbles(w, shift) - offset); }
// Half i (0..7) of a 16-byte word.
float halfAt(uvec4 v, uint i) { return unpackHalf2x16(v[i >> 1u])[i & 1u]; }
// Byte j (0..15) of a 16-byte word, unsigned / signed.
float byteAt(uvec4 v, uint j) { return float(int((v[j >> 2u] >> (8u * (j & 3u))) & 0xFFu)); }
float sbyteAt(uvec4 v, uint j) { return float(int(v[j >> 2u] << (24u - 8u * (j & 3u))) >> 24); }

#define KV_F16 0
#define KV_Q8 1
#define ctl control
#define XQ(i) y[i]
#define XK(i) y[pc.qHeads * pc.headDim + (i)]
#define XV(i) y[(pc.qHeads + pc.kvHeads) * pc.headDim + (i)]
shared float red[64];

float total(float v) {
    uint tid = gl_LocalInvocationID.x;
    red[tid] = v;
    barrier();
    for (uint stride = 32u; stride > 0u; stride >>= 1u) {
        if (tid < stride) { red[tid] += red[tid + stride]; }
        barrier();
    }
    float r = red[0];
    barrier();
    return r;
}

#if KV_Q8
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
#endif
#if KV_F16 || KV_Q8
shared float kr[512];
#endif

void headRow(uint h, uint t, bool keys, bool values) {
    uint tid = gl_LocalInvocationID.x;
    bool isQ = h < pc.qHeads;
    uint head = isQ ? h : h - pc.qHeads;
    uint rowLen = (isQ ? pc.qHeads : pc.kvHeads) * pc.headDim;
    uint src = t * rowLen + head * pc.headDim;
    uint position = ctl[0] + t;
    uint dst = isQ ? src : position * pc.posStride + head * pc.headStride;
    bool store = isQ || position < pc.capacity;
    if (isQ || keys) {
        float inv = 1.0;
        if (pc.hasNorm != 0u) {
            float q = 0.0;
            for (uint i = tid; i < pc.headDim; i += 64u) {
                float v = isQ ? XQ(src + i) : XK(src + i);
                q += v * v;
            }
            inv = inversesqrt(total(q) / float(pc.headDim) + pc.eps);
        }
        uint rotaryHalf = pc.rotary / 2u;
        for (uint pair = tid; pair < pc.headDim / 2u; pair += 64u) {
            uint ia, ib;
            if (pair < rotaryHalf) {
                ia = pc.neox != 0u ? pair : 2u * pair;
                ib = pc.neox != 0u ? pair + rotaryHalf : 2u * pair + 1u;
            } else {
                ia = pc.rotary + 2u * (pair - rotaryHalf);
                ib = ia + 1u;
            }
            float a = isQ ? XQ(src + ia) : XK(src + ia);
            float b = isQ ? XQ(src + ib) : XK(src + ib);
            if (pc.hasNorm != 0u) {
                a = a * inv * (isQ ? wq[ia] : wk[ia]);
                b = b * inv * (isQ ? wq[ib] : wk[ib]);
            }
            if (pair < rotaryHalf) {
                float inverseFrequency = exp2(-2.0 * float(pair) / float(pc.rotary) * log2(pc.theta));
                float angle = float(position) * inverseFrequency;
                angle -= 6.283185307179586 * floor(angle / 6.283185307179586);
                float cs = cos(angle), sn = sin(angle);
                float ra = a * cs - b * sn;
                b = a * sn + b * cs;
                a = ra;
            }
            if (isQ) {
                qo[dst + ia] = a;
                qo[dst + ib] = b;
            } else if (store) {
#if KV_F16 || KV_Q8
                kr[ia] = a;
                kr[ib] = b;
#else
                kc[dst + ia] = a;
                kc[dst + ib] = b;
#endif
            }
        }
    }
#if KV_Q8
    // A block's scale needs all 32 of its values: quantize once the
    // head is rotated, an invocation per block of keys or of values.
    barrier();
    if (!isQ && store) {
        uint blocks = pc.headDim / 32u;
        for (uint b = tid; b < 2u * blocks; b += 64u) {
            bool isK = b < blocks;
            if (isK ? !keys : !values) { continue; }
            uint first = (isK ? b : b - blocks) * 32u;
            float vals[32];
            for (uint j = 0u; j < 32u; j++) { vals[j] = isK ? kr[first + j] : XV(src + first + j); }
            uint words[8];
            uint scale = floatBitsToUint(q8Block(vals, words));
            uint at = dst + first;
            if (isK) {
                kc[pc.scales + at / 32u] = scale;
                for (uint j = 0u; j < 8u; j++) { kc[at / 4u + j] = words[j]; }
            } else {
                vc[pc.scales + at / 32u] = scale;
                for (uint j = 0u; j < 8u; j++) { vc[at / 4u + j] = words[j]; }
            }
        }
    }
#elif KV_F16
    // Adjacent halves share a word: pack them once the head is rotated.
    barrier();
    if (!isQ && store) {
        for (uint p = tid; p < pc.headDim / 2u; p += 64u) {
            if (keys) { kc[(dst >> 1u) + p] = packHalf2x16(vec2(kr[2u * p], kr[2u * p + 1u])); }
            if (values) { vc[(dst >> 1u) + p] = packHalf2x16(vec2(XV(src + 2u * p), XV(src + 2u * p + 1u))); }
        }
    }
#else
    if (!isQ && store && values) {
        for (uint i = tid; i < pc.headDim; i += 64u) { vc[dst + i] = XV(src + i); }
    }
#endif
}

// acc[t] += dot(row at wb, x[t]) for the TILE tokens.
void decodeRow(uint wb) {
    [[unroll]] for (uint g = 0u; g < (COLS / 32u + 7u) / 8u; ++g) {
        uvec4 dv = W(wb + S1 + g);
        [[unroll]] for (uint j = 0u; j < 8u; ++j) {
            uint b = 8u * g + j;
            if (b < COLS / 32u) {
                uvec4 q0 = W(wb + 2u * b);
                uvec4 q1 = W(wb + 2u * b + 1u);
                clearPart();
                [[unroll]] for (uint i = 0u; i < 4u; ++i) {
                    fma4(sbytes4(q0[i]), 8u * b + i);
                    fma4(sbytes4(q1[i]), 8u * b + 4u + i);
                }
                flush(halfAt(dv, j));
            }
        }
    }
}

void main() {
    uint r = gl_GlobalInvocationID.x * ROWS_PER;
    uint count = 1u;
    uint t0 = 0u;
    // No early return in unrolled kernels: on lavapipe, code after any
    // return (even a workgroup-uniform one) runs masked and its loads
    // become per-lane gathers (measured 4–20x slower). Lanes past the
    // last row redo that row and store nothing; tiles past the count
    // compute and store nothing.
    
    // Tokens past count re-read the last valid row of x (never past it;
    // a tile wholly past the count, its first row).
#if STAGE_X
    // x staged in shared memory: every later read of it has a constant
    // address, one load and a broadcast on lavapipe, where a storage-
    // buffer read pays a bounds check each (measured 2.5x slower).
    for (uint i = gl_LocalInvocationID.x; i < TILE * XW; i += gl_WorkGroupSize.x) {
        x[i] = xin[(min(t0 + i / XW, max(count, t0 + 1u) - 1u) + 0u) * XW + i % XW];
    }
    barrier();
#endif
    [[unroll]] for (uint t = 0u; t < TILE; ++t) {
        acc[t] = 0.0;
        xrow[t] = STAGE_X != 0 ? t * XW : (min(t0 + t, count - 1u) + 0u) * XW;
    }
    uint wb = min(r, max(pc.rowCount, 1u) - 1u) * ROW_WORDS;
    decodeRow(wb);
#if PAIR == 1
    // Rows r + 1 ..< r + ROWS_PER through the same x reads: the unrolled
    // rows share every load of x. All are decoded before any store;
    // the last is left to the store below.
    float rowAcc[ROWS_PER];
    rowAcc[0] = acc[0];
    [[unroll]] for (uint k = 1u; k < ROWS_PER; ++k) {
        acc[0] = 0.0;
        decodeRow(min(r + k, max(pc.rowCount, 1u) - 1u) * ROW_WORDS);
        rowAcc[k] = acc[0];
    }
    [[unroll]] for (uint k = 0u; k + 1u < ROWS_PER; ++k) {
        if (r + k < pc.rowCount) {
            float v = rowAcc[k];
            
            y[pc.rowOffset + r + k] = v;
        }
    }
    acc[0] = rowAcc[ROWS_PER - 1u];
    r += ROWS_PER - 1u;
#endif

    [[unroll]] for (uint t = 0u; t < TILE; ++t) {
        if (r < pc.rowCount && t0 + t < count) {
            float v = acc[t];
            
            y[(t0 + t) * ROWS + pc.rowOffset + r] = v;
        }
    }
    memoryBarrierBuffer();
    barrier();
    uint h = gl_WorkGroupID.x;
    uint heads = pc.qHeads + pc.kvHeads;
    headRow(h < heads ? h : h - pc.kvHeads, 0u, h < heads, h >= heads);
}
