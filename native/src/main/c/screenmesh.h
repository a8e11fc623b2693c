/*
 * libscreenmesh: the CPU hot paths of screenmesh (feature squeezing, spectral gating,
 * similarity), called from Java through FFM (io.screenmesh.nativ.ScreenmeshLibrary).
 *
 * All functions take caller-owned memory, never keep pointers after returning, and are
 * thread-safe. Functions returning int return 0 on success and SM_ENOMEM when scratch memory
 * could not be allocated. Arguments are checked by the Java facades, not here.
 */
#ifndef SCREENMESH_H
#define SCREENMESH_H

#include <stdint.h>

#define SM_EXPORT __attribute__((visibility("default")))
#define SM_ENOMEM (-12)
/* Reference rows are packed in panels of this many rows interleaved by dimension. */
#define SM_PANEL 16

/* Bit 0: the CPU runs this build (AVX2 + FMA); bit 1: AVX-512 kernels are used. */
SM_EXPORT int screenmesh_probe(void);
/* Threads used by parallel regions (OpenMP; OMP_NUM_THREADS caps it). */
SM_EXPORT int screenmesh_threads(void);
/* "libscreenmesh <version>; <fftw version>". */
SM_EXPORT const char *screenmesh_version(void);

SM_EXPORT void screenmesh_bitdepth_f32(const float *in, float *out, int64_t count, int bits, float lo, float hi);
SM_EXPORT void screenmesh_bitdepth_u8(const uint8_t *in, uint8_t *out, int64_t count, int bits);
SM_EXPORT int screenmesh_median_f32(const float *in, float *out, int n, int h, int w, int c, int window);
SM_EXPORT int screenmesh_median_u8(const uint8_t *in, uint8_t *out, int n, int h, int w, int c, int window);

SM_EXPORT int screenmesh_spectral_gate(const float *in, float *out, int clips, int length, int nfft, int hop,
                                       float n_std, float prop_decrease, int freq_smooth, int time_smooth,
                                       float top_db, float softness_db);
SM_EXPORT int screenmesh_power_spectrum(const float *in, float *out, int clips, int length, int nfft, int hop);
SM_EXPORT int screenmesh_fir(const float *in, float *out, int clips, int length, const float *taps, int ntaps);

SM_EXPORT void screenmesh_normalize(const float *in, float *out, int64_t rows, int dim);
/* Floats needed to hold n packed rows: the FP32 panels (n rounded up to two panels, times dim)
 * and, where top-k filters with bfloat16 (AVX512-BF16 CPUs), a bf16 copy of half that size. */
SM_EXPORT int64_t screenmesh_packed_size(int64_t n, int dim);
/* Normalizes n rows of dim floats and packs them into panels (see SM_PANEL). */
SM_EXPORT void screenmesh_pack_refs(const float *refs, int64_t n, int dim, float *packed);
SM_EXPORT int screenmesh_cosine(const float *packed, int64_t n, int dim, const float *queries, int q, float *scores);
SM_EXPORT int screenmesh_topk(const float *packed, int64_t n, int dim, const float *queries, int q, int k,
                              int32_t *indices, float *scores);

#endif
