/*
 * Feature squeezing on NHWC batches: bit-depth reduction (float32 and uint8) and median
 * smoothing 2x2 / 3x3 with scipy's "reflect" boundary. The per-element arithmetic is the shared
 * header's, so the GPU result is bit-identical to the CPU library and to numpy/scipy.
 */
#include "screenmesh_cuda.cuh"

/* Bit depth runs in place (in == out), so its pointers carry no __restrict__. */

extern "C" __global__ void sm_bitdepth_f32_kernel(const float* in, float* out, long long count,
                                                  int bits, float lo, float range) {
    const float m = sm_levels(bits);
    SM_GRID_STRIDE(i, count) {
        out[i] = sm_bitdepth_f32(in[i], lo, range, m);
    }
}

extern "C" __global__ void sm_bitdepth_u8_kernel(const uint8_t* in, uint8_t* out, long long count,
                                                 int bits) {
    const uint32_t m = (1u << bits) - 1u;
    SM_GRID_STRIDE(i, count) {
        out[i] = (uint8_t)sm_bitdepth_u8(in[i], m);
    }
}

/*
 * One output value per thread. The window of output row y covers rows y - w/2 .. y - w/2 + w - 1
 * (scipy's origin 0), reflected at the edges; the result is the element of rank w*w/2.
 */
template <typename T>
__device__ __forceinline__ void median_nhwc(const T* __restrict__ in, T* __restrict__ out, int n, int h, int w,
                                            int c, int window) {
    const long long total = (long long)n * h * w * c;
    SM_GRID_STRIDE(i, total) {
        const int ch = (int)(i % c);
        long long p = i / c;
        const int x = (int)(p % w);
        p /= w;
        const int y = (int)(p % h);
        const long long img = p / h;
        const T* base = in + img * h * w * c + ch;
        const int first = -(window / 2);
        float v;
        if (window == 2) {
            const int y0 = sm_reflect(y + first, h), y1 = sm_reflect(y + first + 1, h);
            const int x0 = sm_reflect(x + first, w), x1 = sm_reflect(x + first + 1, w);
            v = sm_upper_med4f((float)base[((long long)y0 * w + x0) * c], (float)base[((long long)y0 * w + x1) * c],
                               (float)base[((long long)y1 * w + x0) * c], (float)base[((long long)y1 * w + x1) * c]);
        } else {
            int ys[3], xs[3];
            for (int d = 0; d < 3; d++) {
                ys[d] = sm_reflect(y + first + d, h);
                xs[d] = sm_reflect(x + first + d, w);
            }
            float p9[9];
            for (int dy = 0; dy < 3; dy++) {
                for (int dx = 0; dx < 3; dx++) {
                    p9[dy * 3 + dx] = (float)base[((long long)ys[dy] * w + xs[dx]) * c];
                }
            }
            v = sm_med9f(p9[0], p9[1], p9[2], p9[3], p9[4], p9[5], p9[6], p9[7], p9[8]);
        }
        out[i] = (T)v; /* the median is one of the inputs, so the conversion back is exact */
    }
}

extern "C" __global__ void sm_median_f32_kernel(const float* __restrict__ in, float* __restrict__ out, int n, int h,
                                                int w, int c, int window) {
    median_nhwc<float>(in, out, n, h, w, c, window);
}

extern "C" __global__ void sm_median_u8_kernel(const uint8_t* __restrict__ in, uint8_t* __restrict__ out, int n,
                                               int h, int w, int c, int window) {
    median_nhwc<uint8_t>(in, out, n, h, w, c, window);
}
