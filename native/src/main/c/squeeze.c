/*
 * Feature squeezing: bit depth and median smoothing over NHWC batches.
 * Compiled with -ffp-contract=off: the bit-depth steps must round one by one, like numpy.
 */
#include "screenmesh.h"
#include "include/screenmesh_math.h"
#include "team.h"

#include <stdlib.h>
#include <string.h>
#include <immintrin.h>
#include <omp.h>

/* AVX-512 where the CPU has it, the AVX2 baseline otherwise; gcc dispatches once via ifunc. */
#define SM_CLONES __attribute__((target_clones("arch=x86-64-v4", "default")))

/* Work below this many elements is not worth waking the other threads for. */
#define SM_PARALLEL_MIN (1 << 16)
#define SM_CHUNK (1 << 14)

SM_CLONES static void bitdepth_f32_chunk(const float *restrict in, float *restrict out, int64_t n,
                                         float lo, float range, float m) {
    for (int64_t i = 0; i < n; i++) out[i] = sm_bitdepth_f32(in[i], lo, range, m);
}

/* In place (in == out) cannot use the restrict-qualified chunk. */
SM_CLONES static void bitdepth_f32_inplace(float *buf, int64_t n, float lo, float range, float m) {
    for (int64_t i = 0; i < n; i++) buf[i] = sm_bitdepth_f32(buf[i], lo, range, m);
}

void screenmesh_bitdepth_f32(const float *in, float *out, int64_t count, int bits, float lo, float hi) {
    float m = sm_levels(bits);
    float range = (float)((double)hi - (double)lo);
    int64_t chunks = (count + SM_CHUNK - 1) / SM_CHUNK;
    int team = count >= SM_PARALLEL_MIN ? sm_team() : 1;
#pragma omp parallel for schedule(static) num_threads(team)
    for (int64_t c = 0; c < chunks; c++) {
        int64_t start = c * SM_CHUNK;
        int64_t n = count - start < SM_CHUNK ? count - start : SM_CHUNK;
        if (in == out) bitdepth_f32_inplace(out + start, n, lo, range, m);
        else bitdepth_f32_chunk(in + start, out + start, n, lo, range, m);
    }
}

void screenmesh_bitdepth_u8(const uint8_t *in, uint8_t *out, int64_t count, int bits) {
    uint8_t lut[256];
    uint32_t m = (uint32_t)((1 << bits) - 1);
    for (uint32_t x = 0; x < 256; x++) lut[x] = (uint8_t)sm_bitdepth_u8(x, m);
    int team = count >= SM_PARALLEL_MIN ? sm_team() : 1;
#pragma omp parallel for schedule(static) num_threads(team)
    for (int64_t i = 0; i < count; i++) out[i] = lut[in[i]];
}

/*
 * Median rows with explicit min/max instructions. gcc turns the paired selects of a sorting
 * exchange into one compare and two blends (three instructions where min and max take two), so
 * the rows are written with intrinsics, once per instruction set and element type. VMIN(a, b) is
 * "a < b ? a : b" and VMAX(a, b) is "a < b ? b : a", exactly SM_MIN and SM_MAX of the scalar
 * edges and of the CUDA kernels (x86 MIN/MAX return the second operand when unordered).
 *
 * A 3x3 row: each column of the three input rows is sorted once into lo/mi/hi (padded with one
 * reflected column on each side), then the median of a window is med3(max of the lows, median
 * of the mids, min of the highs) over three neighbouring columns. A 2x2 row: rows y-1 and y,
 * columns x-1 and x (scipy's origin for even sizes), the upper median.
 *
 * The column sorts are stored line-aligned (a margin of a whole cache line before column 0), so
 * only the shifted loads of the second pass straddle lines; this, with min/max instead of
 * compare-and-blend, is what makes the rows ~20% faster in cache. (Non-temporal stores of the
 * output were measured too, and were no faster here.)
 */
#define SM_MED3_AT(T, q)                                                                                       \
    do {                                                                                                       \
        T l_ = SM_MAX(SM_MAX(lo[(q) - c], lo[q]), lo[(q) + c]);                                                \
        T a_ = mi[(q) - c], b_ = mi[q], d_ = mi[(q) + c];                                                      \
        T m_ = SM_MAX(SM_MIN(a_, b_), SM_MIN(SM_MAX(a_, b_), d_));                                             \
        T h_ = SM_MIN(SM_MIN(hi[(q) - c], hi[q]), hi[(q) + c]);                                                \
        out[q] = SM_MAX(SM_MIN(l_, m_), SM_MIN(SM_MAX(l_, m_), h_));                                           \
    } while (0)
#define SM_MED2_AT(q) out[q] = SM_MAX(SM_MIN(hi[(q) - c], hi[q]), SM_MAX(lo[(q) - c], lo[q]))

#define SM_DEFINE_MEDIAN_KERNELS(SUF, TGT, T, VT, LANES, LOADU, STOREU, VMIN_, VMAX_)                         \
    TGT static void med3_row_##SUF(const T *restrict r0, const T *restrict r1, const T *restrict r2,          \
                                   T *restrict out, int w, int c, T *restrict lo, T *restrict mi,            \
                                   T *restrict hi) {                                                          \
        int wc = w * c, p = 0;                                                                                 \
        for (; p + LANES <= wc; p += LANES) {                                                                  \
            VT a = LOADU(r0 + p), b = LOADU(r1 + p), d = LOADU(r2 + p);                                        \
            VT l1 = VMIN_(a, b), h1 = VMAX_(a, b);                                                             \
            VT l2 = VMIN_(h1, d);                                                                              \
            STOREU(hi + p, VMAX_(h1, d));                                                                      \
            STOREU(lo + p, VMIN_(l1, l2));                                                                     \
            STOREU(mi + p, VMAX_(l1, l2));                                                                     \
        }                                                                                                      \
        for (; p < wc; p++) {                                                                                  \
            T a = r0[p], b = r1[p], d = r2[p];                                                                 \
            T l1 = SM_MIN(a, b), h1 = SM_MAX(a, b);                                                            \
            T l2 = SM_MIN(h1, d);                                                                              \
            hi[p] = SM_MAX(h1, d);                                                                             \
            lo[p] = SM_MIN(l1, l2);                                                                            \
            mi[p] = SM_MAX(l1, l2);                                                                            \
        }                                                                                                      \
        for (int k = 0; k < c; k++) { /* reflect: column -1 is column 0, column w is column w-1 */             \
            lo[k - c] = lo[k]; mi[k - c] = mi[k]; hi[k - c] = hi[k];                                           \
            lo[wc + k] = lo[wc - c + k]; mi[wc + k] = mi[wc - c + k]; hi[wc + k] = hi[wc - c + k];             \
        }                                                                                                      \
        int q = 0;                                                                                             \
        for (; q + LANES <= wc; q += LANES) {                                                                  \
            VT l = VMAX_(VMAX_(LOADU(lo + q - c), LOADU(lo + q)), LOADU(lo + q + c));                          \
            VT a = LOADU(mi + q - c), b = LOADU(mi + q), d = LOADU(mi + q + c);                                \
            VT m = VMAX_(VMIN_(a, b), VMIN_(VMAX_(a, b), d));                                                  \
            VT h = VMIN_(VMIN_(LOADU(hi + q - c), LOADU(hi + q)), LOADU(hi + q + c));                          \
            VT r = VMAX_(VMIN_(l, m), VMIN_(VMAX_(l, m), h));                                                  \
            STOREU(out + q, r);                                                                                \
        }                                                                                                      \
        for (; q < wc; q++) SM_MED3_AT(T, q);                                                                  \
    }                                                                                                          \
    TGT static void med2_row_##SUF(const T *restrict r0, const T *restrict r1, T *restrict out, int w, int c, \
                                   T *restrict lo, T *restrict hi) {                                          \
        int wc = w * c, p = 0;                                                                                 \
        for (; p + LANES <= wc; p += LANES) {                                                                  \
            VT a = LOADU(r0 + p), b = LOADU(r1 + p);                                                           \
            STOREU(lo + p, VMIN_(a, b));                                                                       \
            STOREU(hi + p, VMAX_(a, b));                                                                       \
        }                                                                                                      \
        for (; p < wc; p++) {                                                                                  \
            lo[p] = SM_MIN(r0[p], r1[p]);                                                                      \
            hi[p] = SM_MAX(r0[p], r1[p]);                                                                      \
        }                                                                                                      \
        for (int k = 0; k < c; k++) { lo[k - c] = lo[k]; hi[k - c] = hi[k]; }                                 \
        int q = 0;                                                                                             \
        for (; q + LANES <= wc; q += LANES) {                                                                  \
            VT r = VMAX_(VMIN_(LOADU(hi + q - c), LOADU(hi + q)), VMAX_(LOADU(lo + q - c), LOADU(lo + q)));    \
            STOREU(out + q, r);                                                                                \
        }                                                                                                      \
        for (; q < wc; q++) SM_MED2_AT(q);                                                                     \
    }

#define SM_V4 __attribute__((target("arch=x86-64-v4")))
#define SM_V3 __attribute__((target("arch=x86-64-v3")))
/* Operand order: x86 MINPS(a, b) = a < b ? a : b; MAXPS(b, a) = b > a ? b : a = a < b ? b : a. */
#define F512_MIN(a, b) _mm512_min_ps(a, b)
#define F512_MAX(a, b) _mm512_max_ps(b, a)
#define F256_MIN(a, b) _mm256_min_ps(a, b)
#define F256_MAX(a, b) _mm256_max_ps(b, a)
#define I512_LOADU(p) _mm512_loadu_si512((const void *)(p))
#define I512_STOREU(p, v) _mm512_storeu_si512((void *)(p), v)
#define I256_LOADU(p) _mm256_loadu_si256((const __m256i *)(p))
#define I256_STOREU(p, v) _mm256_storeu_si256((__m256i *)(p), v)

SM_DEFINE_MEDIAN_KERNELS(f32_v4, SM_V4, float, __m512, 16, _mm512_loadu_ps, _mm512_storeu_ps, F512_MIN, F512_MAX)
SM_DEFINE_MEDIAN_KERNELS(f32_v3, SM_V3, float, __m256, 8, _mm256_loadu_ps, _mm256_storeu_ps, F256_MIN, F256_MAX)
SM_DEFINE_MEDIAN_KERNELS(u8_v4, SM_V4, uint8_t, __m512i, 64, I512_LOADU, I512_STOREU, _mm512_min_epu8, _mm512_max_epu8)
SM_DEFINE_MEDIAN_KERNELS(u8_v3, SM_V3, uint8_t, __m256i, 32, I256_LOADU, I256_STOREU, _mm256_min_epu8, _mm256_max_epu8)

/*
 * Float rows on AVX-512 without the scratch round trip, for c <= 16 channels: each 16-lane chunk
 * of the row is column-sorted once and kept in registers, and the neighbouring columns (flat
 * offsets -c and +c) come from two-source permutes of the previous/next chunk; lanes whose
 * neighbour is past the row's edge take their own column (scipy's reflect). Same min/max
 * network, operands and order as the rows above, so the results are the same bits.
 */
#define SM_SORT3_CHUNK(j, LO, MI, HI)                                                                          \
    do {                                                                                                       \
        __m512 a_, b_, d_;                                                                                     \
        if (16 * (j) + 16 <= wc) { /* masked accesses are slower on some cores: only at the tail */          \
            a_ = _mm512_loadu_ps(r0 + 16 * (j)), b_ = _mm512_loadu_ps(r1 + 16 * (j));                          \
            d_ = _mm512_loadu_ps(r2 + 16 * (j));                                                               \
        } else {                                                                                               \
            __mmask16 m_ = tail_mask(wc - 16 * (j));                                                           \
            a_ = _mm512_maskz_loadu_ps(m_, r0 + 16 * (j)), b_ = _mm512_maskz_loadu_ps(m_, r1 + 16 * (j));      \
            d_ = _mm512_maskz_loadu_ps(m_, r2 + 16 * (j));                                                     \
        }                                                                                                      \
        __m512 l1_ = F512_MIN(a_, b_), h1_ = F512_MAX(a_, b_), l2_ = F512_MIN(h1_, d_);                        \
        HI = F512_MAX(h1_, d_);                                                                                \
        LO = F512_MIN(l1_, l2_);                                                                               \
        MI = F512_MAX(l1_, l2_);                                                                               \
    } while (0)

/* Lanes [0, n) of a chunk (all 16 when n >= 16). */
SM_V4 static inline __mmask16 tail_mask(int n) { return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1); }

/* Lanes of chunk j whose column +c lies past the row (they reflect onto their own column). */
SM_V4 static inline __mmask16 right_edge(int wc, int c, int j) {
    int t = wc - c - 16 * j; /* first lane past the edge */
    return t >= 16 ? (__mmask16)0 : (__mmask16)(0xffffu << (t > 0 ? t : 0));
}

SM_V4 static void med3_row_f32_v4p(const float *restrict r0, const float *restrict r1, const float *restrict r2,
                                   float *restrict out, int w, int c) {
    int wc = w * c, chunks = (wc + 15) / 16;
    __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m512i il = _mm512_add_epi32(iota, _mm512_set1_epi32(16 - c)), ir = _mm512_add_epi32(iota, _mm512_set1_epi32(c));
    __mmask16 first = (__mmask16)((1u << c) - 1);
    __m512 plo, pmi, phi, clo, cmi, chi, nlo, nmi, nhi;
    SM_SORT3_CHUNK(0, clo, cmi, chi);
    plo = clo, pmi = cmi, phi = chi;
    for (int j = 0; j < chunks; j++) {
        if (j + 1 < chunks) SM_SORT3_CHUNK(j + 1, nlo, nmi, nhi);
        else nlo = clo, nmi = cmi, nhi = chi;
        __m512 llo = _mm512_permutex2var_ps(plo, il, clo), lmi = _mm512_permutex2var_ps(pmi, il, cmi);
        __m512 lhi = _mm512_permutex2var_ps(phi, il, chi);
        if (j == 0) {
            llo = _mm512_mask_blend_ps(first, llo, clo);
            lmi = _mm512_mask_blend_ps(first, lmi, cmi);
            lhi = _mm512_mask_blend_ps(first, lhi, chi);
        }
        __m512 rlo = _mm512_permutex2var_ps(clo, ir, nlo), rmi = _mm512_permutex2var_ps(cmi, ir, nmi);
        __m512 rhi = _mm512_permutex2var_ps(chi, ir, nhi);
        __mmask16 edge = right_edge(wc, c, j);
        if (edge) {
            rlo = _mm512_mask_blend_ps(edge, rlo, clo);
            rmi = _mm512_mask_blend_ps(edge, rmi, cmi);
            rhi = _mm512_mask_blend_ps(edge, rhi, chi);
        }
        __m512 l = F512_MAX(F512_MAX(llo, clo), rlo);
        __m512 m = F512_MAX(F512_MIN(lmi, cmi), F512_MIN(F512_MAX(lmi, cmi), rmi));
        __m512 h = F512_MIN(F512_MIN(lhi, chi), rhi);
        __m512 r = F512_MAX(F512_MIN(l, m), F512_MIN(F512_MAX(l, m), h));
        if (16 * j + 16 <= wc) _mm512_storeu_ps(out + 16 * j, r);
        else _mm512_mask_storeu_ps(out + 16 * j, tail_mask(wc - 16 * j), r);
        plo = clo, pmi = cmi, phi = chi;
        clo = nlo, cmi = nmi, chi = nhi;
    }
}

SM_V4 static void med2_row_f32_v4p(const float *restrict r0, const float *restrict r1, float *restrict out, int w,
                                   int c) {
    int wc = w * c, chunks = (wc + 15) / 16;
    __m512i il = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                  _mm512_set1_epi32(16 - c));
    __mmask16 first = (__mmask16)((1u << c) - 1);
    __m512 plo = _mm512_setzero_ps(), phi = plo;
    for (int j = 0; j < chunks; j++) {
        int full = 16 * j + 16 <= wc;
        __mmask16 m = tail_mask(wc - 16 * j);
        __m512 a = full ? _mm512_loadu_ps(r0 + 16 * j) : _mm512_maskz_loadu_ps(m, r0 + 16 * j);
        __m512 b = full ? _mm512_loadu_ps(r1 + 16 * j) : _mm512_maskz_loadu_ps(m, r1 + 16 * j);
        __m512 clo = F512_MIN(a, b), chi = F512_MAX(a, b);
        __m512 llo = _mm512_permutex2var_ps(plo, il, clo), lhi = _mm512_permutex2var_ps(phi, il, chi);
        if (j == 0) {
            llo = _mm512_mask_blend_ps(first, llo, clo);
            lhi = _mm512_mask_blend_ps(first, lhi, chi);
        }
        __m512 r = F512_MAX(F512_MIN(lhi, chi), F512_MAX(llo, clo));
        if (full) _mm512_storeu_ps(out + 16 * j, r);
        else _mm512_mask_storeu_ps(out + 16 * j, m, r);
        plo = clo, phi = chi;
    }
}

static int cpu_v4(void) {
    static int cached = -1;
    if (cached < 0) {
        cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
                 && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    }
    return cached;
}

/* The register-only rows exist for floats; for bytes these branches are dead and the casts unused. */
#define SM_IS_F32(T) __builtin_types_compatible_p(T, float)
#define SM_MED3_V4P(T, a, b, d, o, w, c) \
    med3_row_f32_v4p((const float *)(const void *)(a), (const float *)(const void *)(b), \
                     (const float *)(const void *)(d), (float *)(void *)(o), w, c)
#define SM_MED2_V4P(T, a, b, o, w, c) \
    med2_row_f32_v4p((const float *)(const void *)(a), (const float *)(const void *)(b), (float *)(void *)(o), w, c)

#define SM_DEFINE_MEDIAN(T, SUFFIX)                                                                          \
    int screenmesh_median_##SUFFIX(const T *in, T *out, int n, int h, int w, int c, int window) {           \
        int64_t wc = (int64_t)w * c;                                                                         \
        int64_t rows = (int64_t)n * h;                                                                       \
        int v4 = cpu_v4();                                                                                   \
        int failed = 0;                                                                                      \
        int team = rows * wc >= SM_PARALLEL_MIN ? sm_team() : 1;                                             \
        _Pragma("omp parallel num_threads(team)")                                                            \
        {                                                                                                    \
            /* lo, mi, hi: each a line-aligned row of wc with a reflected margin of c on both sides, so \
             * the column sorts store aligned. */                                                           \
            int64_t pad = ((int64_t)c + 63) / 64 * 64, stride = pad + (wc + c + 63) / 64 * 64;              \
            T *scratch = aligned_alloc(64, sizeof(T) * 3 * (size_t)stride);                                  \
            if (!scratch) {                                                                                  \
                _Pragma("omp atomic write") failed = 1;                                                      \
            }                                                                                                \
            _Pragma("omp for schedule(static)")                                                              \
            for (int64_t r = 0; r < rows; r++) {                                                             \
                if (!scratch) continue;                                                                      \
                int64_t img = r / h;                                                                         \
                int y = (int)(r % h);                                                                        \
                const T *base = in + img * h * wc;                                                           \
                T *o = out + r * wc;                                                                         \
                T *lo = scratch + pad, *mi = lo + stride, *hi = mi + stride;                                 \
                const T *up = base + sm_reflect(y - 1, h) * wc;                                              \
                const T *mid = base + (int64_t)y * wc;                                                       \
                if (window == 3) {                                                                           \
                    const T *down = base + sm_reflect(y + 1, h) * wc;                                        \
                    if (v4 && SM_IS_F32(T) && c <= 16) SM_MED3_V4P(T, up, mid, down, o, w, c);                \
                    else if (v4) med3_row_##SUFFIX##_v4(up, mid, down, o, w, c, lo, mi, hi);                  \
                    else med3_row_##SUFFIX##_v3(up, mid, down, o, w, c, lo, mi, hi);                          \
                } else {                                                                                     \
                    if (v4 && SM_IS_F32(T) && c <= 16) SM_MED2_V4P(T, up, mid, o, w, c);                      \
                    else if (v4) med2_row_##SUFFIX##_v4(up, mid, o, w, c, lo, hi);                            \
                    else med2_row_##SUFFIX##_v3(up, mid, o, w, c, lo, hi);                                    \
                }                                                                                            \
            }                                                                                                \
            free(scratch);                                                                                   \
        }                                                                                                    \
        return failed ? SM_ENOMEM : 0;                                                                       \
    }

SM_DEFINE_MEDIAN(float, f32)
SM_DEFINE_MEDIAN(uint8_t, u8)
