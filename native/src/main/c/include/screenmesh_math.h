/*
 * Arithmetic shared by the CPU library (gcc) and the CUDA kernels (nvcc), so that CI, which has
 * no GPU, tests the very arithmetic the GPU runs. Everything here is a small inline function
 * marked SM_HD (__host__ __device__ under nvcc).
 *
 * Rounding-sensitive steps (bit depth must be bit-identical to numpy's float32 arithmetic) use
 * SM_FADD/SM_FSUB/SM_FMUL/SM_FDIV: on the device they are the _rn intrinsics, which nvcc never
 * contracts into an FMA; on the host the library is compiled with -ffp-contract=off.
 */
#ifndef SCREENMESH_MATH_H
#define SCREENMESH_MATH_H

#include <math.h>
#include <stdint.h>

#ifdef __CUDACC__
#define SM_HD __host__ __device__ __forceinline__
#else
#define SM_HD static inline __attribute__((always_inline))
#endif

#if defined(__CUDA_ARCH__)
#define SM_FADD(a, b) __fadd_rn((a), (b))
#define SM_FSUB(a, b) __fsub_rn((a), (b))
#define SM_FMUL(a, b) __fmul_rn((a), (b))
#define SM_FDIV(a, b) __fdiv_rn((a), (b))
#else
#define SM_FADD(a, b) ((a) + (b))
#define SM_FSUB(a, b) ((a) - (b))
#define SM_FMUL(a, b) ((a) * (b))
#define SM_FDIV(a, b) ((a) / (b))
#endif

/* ---- bit depth (IBM ART FeatureSqueezing) ------------------------------------------------- */

/* The levels of a bit depth: m = 2^bits - 1. */
SM_HD float sm_levels(int bits) { return (float)((1 << bits) - 1); }

/*
 * numpy on float32, step by step: r = (x - lo) / range; r = rint(r * m) / m; y = r * range + lo.
 * rintf rounds half to even like np.rint. range is (float)((double)hi - (double)lo).
 */
SM_HD float sm_bitdepth_f32(float x, float lo, float range, float m) {
    float r = SM_FDIV(SM_FSUB(x, lo), range);
    r = SM_FDIV(rintf(SM_FMUL(r, m)), m);
    return SM_FADD(SM_FMUL(r, range), lo);
}

/*
 * uint8 with clip range [0, 255]: rint(rint(x*m/255) * 255/m). Neither step can tie (an odd
 * number is never twice an integer), so integer arithmetic gives the exact result.
 */
SM_HD uint32_t sm_bitdepth_u8(uint32_t x, uint32_t m) {
    uint32_t k = (2u * x * m + 255u) / 510u;
    return (2u * k * 255u + m) / (2u * m);
}

/* ---- median (scipy.ndimage.median_filter, mode="reflect") -------------------------------- */

/* scipy's "reflect" (d c b a | a b c d | d c b a) for indices at most n outside [0, n). */
SM_HD int sm_reflect(int i, int n) {
    if (i < 0) i = -i - 1;
    if (i >= n) i = 2 * n - i - 1;
    return i < 0 ? 0 : (i >= n ? n - 1 : i);
}

#define SM_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SM_MAX(a, b) ((a) < (b) ? (b) : (a))

/* Median of three. */
SM_HD float sm_med3f(float a, float b, float c) { return SM_MAX(SM_MIN(a, b), SM_MIN(SM_MAX(a, b), c)); }

/*
 * The element of rank 2 (0-based, ascending) of four: scipy's even-size rank filter picks
 * rank size/2, the upper median. It is the second largest: the smaller of the two pair maxima
 * or the larger of the two pair minima, whichever is larger.
 */
SM_HD float sm_upper_med4f(float a, float b, float c, float d) {
    return SM_MAX(SM_MIN(SM_MAX(a, b), SM_MAX(c, d)), SM_MAX(SM_MIN(a, b), SM_MIN(c, d)));
}

/*
 * Median of nine from three sorted columns (lo <= mid <= hi each): the median of the window is
 * med3(max of the lows, median of the mids, min of the highs). Sorting each column once and
 * sharing it between the three windows that contain it is what makes the CPU path vectorize.
 */
SM_HD float sm_med9_cols(float lo0, float lo1, float lo2, float mi0, float mi1, float mi2,
                         float hi0, float hi1, float hi2) {
    float lo = SM_MAX(SM_MAX(lo0, lo1), lo2);
    float mi = sm_med3f(mi0, mi1, mi2);
    float hi = SM_MIN(SM_MIN(hi0, hi1), hi2);
    return sm_med3f(lo, mi, hi);
}

/* Median of nine values by a 19-exchange selection network (Paeth), for per-pixel kernels. */
#define SM_SORT2(a, b) do { float _lo = SM_MIN(a, b); b = SM_MAX(a, b); a = _lo; } while (0)
SM_HD float sm_med9f(float p0, float p1, float p2, float p3, float p4, float p5, float p6, float p7, float p8) {
    SM_SORT2(p1, p2); SM_SORT2(p4, p5); SM_SORT2(p7, p8);
    SM_SORT2(p0, p1); SM_SORT2(p3, p4); SM_SORT2(p6, p7);
    SM_SORT2(p1, p2); SM_SORT2(p4, p5); SM_SORT2(p7, p8);
    SM_SORT2(p0, p3); SM_SORT2(p5, p8); SM_SORT2(p4, p7);
    SM_SORT2(p3, p6); SM_SORT2(p1, p4); SM_SORT2(p2, p5);
    SM_SORT2(p4, p7); SM_SORT2(p4, p2); SM_SORT2(p6, p4);
    SM_SORT2(p4, p2);
    return p4;
}

/* ---- spectral ------------------------------------------------------------------------------- */

/* Periodic Hann window value n of N (scipy.signal.get_window("hann", N)), computed in double. */
SM_HD float sm_hann(int n, int N) {
    return (float)(0.5 - 0.5 * cos(2.0 * 3.14159265358979323846 * (double)n / (double)N));
}

/* Number of STFT frames for a clip: the clip is padded with N/2 zeros in front. */
SM_HD int sm_frames(int length, int hop) { return 1 + (length + hop - 1) / hop; }

/* Magnitude in dB as the gate's noise statistics see it. */
SM_HD float sm_db(float re, float im) { return 20.0f * log10f(sqrtf(re * re + im * im) + 1e-10f); }

/*
 * The gate: (1 - p) + p * sigmoid(d / s) where d is the level above the bin's threshold in dB;
 * a hard step (d > 0) when the softness s is 0.
 */
SM_HD float sm_gate_mask(float above_db, float softness_db, float prop_decrease) {
    float open = softness_db > 0.0f ? 1.0f / (1.0f + expf(-above_db / softness_db))
                                    : (above_db > 0.0f ? 1.0f : 0.0f);
    return (1.0f - prop_decrease) + prop_decrease * open;
}

/* Weight of the triangular smoothing filter at offset i of half-width h: 1 - |i|/(h+1). */
SM_HD float sm_triangle(int i, int h) { return 1.0f - (float)(i < 0 ? -i : i) / (float)(h + 1); }

#endif /* SCREENMESH_MATH_H */
