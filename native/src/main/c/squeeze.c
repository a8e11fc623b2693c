/*
 * Feature squeezing: bit depth and median smoothing over NHWC batches.
 * Compiled with -ffp-contract=off: the bit-depth steps must round one by one, like numpy.
 */
#include "screenmesh.h"
#include "include/screenmesh_math.h"

#include <stdlib.h>
#include <string.h>
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
#pragma omp parallel for schedule(static) if (count >= SM_PARALLEL_MIN)
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
#pragma omp parallel for schedule(static) if (count >= SM_PARALLEL_MIN)
    for (int64_t i = 0; i < count; i++) out[i] = lut[in[i]];
}

/*
 * One output row of a median. Rows r0..r2 are input rows already chosen by the reflect rule;
 * columns are handled by sorting each column once into lo/mi/hi arrays padded with one
 * reflected column on each side, so the per-output loop is branch-free over the flattened
 * (x, channel) axis and vectorizes over W.
 */
#define SM_DEFINE_MEDIAN_ROWS(T, SUFFIX)                                                              \
    SM_CLONES static void med3_row_##SUFFIX(const T *restrict r0, const T *restrict r1,                 \
                                            const T *restrict r2, T *restrict out, int w, int c,       \
                                            T *restrict lo, T *restrict mi, T *restrict hi) {          \
        int wc = w * c;                                                                              \
        for (int p = 0; p < wc; p++) {                                                               \
            T a = r0[p], b = r1[p], d = r2[p];                                                       \
            T l1 = SM_MIN(a, b), h1 = SM_MAX(a, b);                                                  \
            T l2 = SM_MIN(h1, d), h2 = SM_MAX(h1, d);                                                \
            lo[c + p] = SM_MIN(l1, l2);                                                              \
            mi[c + p] = SM_MAX(l1, l2);                                                              \
            hi[c + p] = h2;                                                                          \
        }                                                                                            \
        for (int k = 0; k < c; k++) { /* reflect: column -1 is column 0, column w is column w-1 */   \
            lo[k] = lo[c + k]; mi[k] = mi[c + k]; hi[k] = hi[c + k];                                 \
            lo[c + wc + k] = lo[wc + k]; mi[c + wc + k] = mi[wc + k]; hi[c + wc + k] = hi[wc + k];   \
        }                                                                                            \
        for (int q = 0; q < wc; q++) {                                                               \
            T l = SM_MAX(SM_MAX(lo[q], lo[q + c]), lo[q + 2 * c]);                                   \
            T a = mi[q], b = mi[q + c], d = mi[q + 2 * c];                                           \
            T m = SM_MAX(SM_MIN(a, b), SM_MIN(SM_MAX(a, b), d));                                     \
            T h = SM_MIN(SM_MIN(hi[q], hi[q + c]), hi[q + 2 * c]);                                   \
            out[q] = SM_MAX(SM_MIN(l, m), SM_MIN(SM_MAX(l, m), h));                                  \
        }                                                                                            \
    }                                                                                                \
    /* 2x2: rows y-1 and y, columns x-1 and x (scipy's origin for even sizes); upper median. */    \
    SM_CLONES static void med2_row_##SUFFIX(const T *restrict r0, const T *restrict r1,                 \
                                            T *restrict out, int w, int c, T *restrict lo,             \
                                            T *restrict hi) {                                          \
        int wc = w * c;                                                                              \
        for (int p = 0; p < wc; p++) {                                                               \
            lo[c + p] = SM_MIN(r0[p], r1[p]);                                                        \
            hi[c + p] = SM_MAX(r0[p], r1[p]);                                                        \
        }                                                                                            \
        for (int k = 0; k < c; k++) { lo[k] = lo[c + k]; hi[k] = hi[c + k]; }                        \
        for (int q = 0; q < wc; q++) {                                                               \
            T a = SM_MIN(hi[q], hi[q + c]);                                                          \
            T b = SM_MAX(lo[q], lo[q + c]);                                                          \
            out[q] = SM_MAX(a, b);                                                                   \
        }                                                                                            \
    }                                                                                                \
    int screenmesh_median_##SUFFIX(const T *in, T *out, int n, int h, int w, int c, int window) {   \
        int64_t wc = (int64_t)w * c;                                                                 \
        int64_t rows = (int64_t)n * h;                                                               \
        int failed = 0;                                                                              \
        _Pragma("omp parallel if (rows * wc >= SM_PARALLEL_MIN)")                                    \
        {                                                                                            \
            T *scratch = malloc(sizeof(T) * 3 * (size_t)(wc + 2 * c));                               \
            if (!scratch) {                                                                          \
                _Pragma("omp atomic write") failed = 1;                                              \
            }                                                                                        \
            _Pragma("omp for schedule(static)")                                                      \
            for (int64_t r = 0; r < rows; r++) {                                                     \
                if (!scratch) continue;                                                              \
                int64_t img = r / h;                                                                 \
                int y = (int)(r % h);                                                                \
                const T *base = in + img * h * wc;                                                   \
                T *o = out + r * wc;                                                                 \
                T *lo = scratch, *mi = scratch + wc + 2 * c, *hi = scratch + 2 * (wc + 2 * c);       \
                const T *up = base + sm_reflect(y - 1, h) * wc;                                      \
                const T *mid = base + (int64_t)y * wc;                                               \
                if (window == 3) {                                                                   \
                    const T *down = base + sm_reflect(y + 1, h) * wc;                                \
                    med3_row_##SUFFIX(up, mid, down, o, w, c, lo, mi, hi);                           \
                } else {                                                                             \
                    med2_row_##SUFFIX(up, mid, o, w, c, lo, hi);                                     \
                }                                                                                    \
            }                                                                                        \
            free(scratch);                                                                           \
        }                                                                                            \
        return failed ? SM_ENOMEM : 0;                                                               \
    }

SM_DEFINE_MEDIAN_ROWS(float, f32)
SM_DEFINE_MEDIAN_ROWS(uint8_t, u8)
