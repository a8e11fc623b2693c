/*
 * The spectral gate's kernels around cuFFT: framing with a periodic Hann window, dB and the
 * per-bin noise threshold, the soft mask and its triangular smoothing, masking, and the
 * overlap-add normalized by the summed squared window; plus the mean power spectrum and the FIR
 * filter. Layouts: frames and spectra are [clip][frame][sample or bin], bins innermost, so a warp
 * walking bins reads contiguous memory in every kernel.
 *
 * Statistics are accumulated in double, the way the java oracle does, so the result stays within
 * the suite's 1e-4 of it whatever the summation order.
 */
#include "screenmesh_cuda.cuh"

/* frames[c][f][n] = hann(n) * x[c][f*hop + n - nFft/2], zero outside the clip. */
extern "C" __global__ void sm_frame_kernel(const float* __restrict__ x, float* __restrict__ frames, int clips,
                                           int length, int nFft, int hop, int frameCount) {
    const long long total = (long long)clips * frameCount * nFft;
    const int pad = nFft / 2;
    SM_GRID_STRIDE(i, total) {
        const int n = (int)(i % nFft);
        const long long cf = i / nFft;
        const int f = (int)(cf % frameCount);
        const long long c = cf / frameCount;
        const long long t = (long long)f * hop + n - pad;
        frames[i] = (t >= 0 && t < length) ? x[c * length + t] * sm_hann(n, nFft) : 0.0f;
    }
}

/* db = 20*log10(|X| + 1e-10) for every complex value. */
extern "C" __global__ void sm_db_kernel(const float2* __restrict__ spec, float* __restrict__ db, long long count) {
    SM_GRID_STRIDE(i, count) {
        const float2 v = spec[i];
        db[i] = sm_db(v.x, v.y);
    }
}

/*
 * Per (clip, bin): floor the bin's dB at its maximum minus topDb (in place, so the mask sees the
 * floored values), then threshold = mean + nStd * population std over the clip's frames.
 */
extern "C" __global__ void sm_noise_threshold_kernel(float* db, float* __restrict__ threshold, int clips,
                                                     int frameCount, int bins, float topDb, float nStd) {
    const long long total = (long long)clips * bins;
    SM_GRID_STRIDE(i, total) {
        const int k = (int)(i % bins);
        const long long c = i / bins;
        float* col = db + c * frameCount * bins + k;
        float maxDb = -INFINITY;
        for (int f = 0; f < frameCount; f++) {
            maxDb = fmaxf(maxDb, col[(long long)f * bins]);
        }
        const float floorDb = maxDb - topDb;
        double sum = 0.0;
        for (int f = 0; f < frameCount; f++) {
            const float v = fmaxf(col[(long long)f * bins], floorDb);
            col[(long long)f * bins] = v;
            sum += v;
        }
        const double mean = sum / frameCount;
        double var = 0.0;
        for (int f = 0; f < frameCount; f++) {
            const double d = col[(long long)f * bins] - mean;
            var += d * d;
        }
        threshold[i] = (float)(mean + (double)nStd * sqrt(var / frameCount));
    }
}

/* mask[c][f][k] = gate(db[c][f][k] - threshold[c][k]). */
extern "C" __global__ void sm_gate_mask_kernel(const float* __restrict__ db, const float* __restrict__ threshold,
                                               float* __restrict__ mask, int clips, int frameCount, int bins,
                                               float softnessDb, float propDecrease) {
    const long long total = (long long)clips * frameCount * bins;
    SM_GRID_STRIDE(i, total) {
        const int k = (int)(i % bins);
        const long long c = i / ((long long)frameCount * bins);
        mask[i] = sm_gate_mask(db[i] - threshold[c * bins + k], softnessDb, propDecrease);
    }
}

/* Triangular smoothing along bins, renormalized by the weights inside the spectrum. */
extern "C" __global__ void sm_smooth_freq_kernel(const float* __restrict__ in, float* __restrict__ out,
                                                 long long rows, int bins, int half) {
    const long long total = rows * bins;
    SM_GRID_STRIDE(i, total) {
        const int k = (int)(i % bins);
        const float* row = in + (i - k);
        double s = 0.0, wsum = 0.0;
        for (int d = -half; d <= half; d++) {
            const int kk = k + d;
            if (kk >= 0 && kk < bins) {
                const double wt = sm_triangle(d, half);
                s += wt * row[kk];
                wsum += wt;
            }
        }
        out[i] = (float)(s / wsum);
    }
}

/* Triangular smoothing along frames (within each clip), renormalized at the clip's edges. */
extern "C" __global__ void sm_smooth_time_kernel(const float* __restrict__ in, float* __restrict__ out, int clips,
                                                 int frameCount, int bins, int half) {
    const long long total = (long long)clips * frameCount * bins;
    SM_GRID_STRIDE(i, total) {
        const int k = (int)(i % bins);
        const long long cf = i / bins;
        const int f = (int)(cf % frameCount);
        const float* col = in + (cf - f) * bins + k;
        double s = 0.0, wsum = 0.0;
        for (int d = -half; d <= half; d++) {
            const int ff = f + d;
            if (ff >= 0 && ff < frameCount) {
                const double wt = sm_triangle(d, half);
                s += wt * col[(long long)ff * bins];
                wsum += wt;
            }
        }
        out[i] = (float)(s / wsum);
    }
}

extern "C" __global__ void sm_apply_mask_kernel(float2* spec, const float* __restrict__ mask, long long count) {
    SM_GRID_STRIDE(i, count) {
        const float m = mask[i];
        float2 v = spec[i];
        v.x *= m;
        v.y *= m;
        spec[i] = v;
    }
}

/*
 * Gathering overlap-add (no atomics, deterministic): out[c][t] = sum_f w(n) * frame_f(n) / nFft
 * divided by sum_f w(n)^2, n = t + nFft/2 - f*hop, over the frames that cover t. cuFFT's C2R is
 * unnormalized, hence the 1/nFft. Samples whose summed squared window is ~0 are set to 0.
 */
extern "C" __global__ void sm_overlap_add_kernel(const float* __restrict__ frames, float* __restrict__ out,
                                                 int clips, int length, int nFft, int hop, int frameCount) {
    const long long total = (long long)clips * length;
    const int pad = nFft / 2;
    SM_GRID_STRIDE(i, total) {
        const int t = (int)(i % length);
        const long long c = i / length;
        const int p = t + pad;
        int fFirst = p - nFft + 1 <= 0 ? 0 : (p - nFft + 1 + hop - 1) / hop;
        int fLast = p / hop;
        if (fLast > frameCount - 1) fLast = frameCount - 1;
        double s = 0.0, wsum = 0.0;
        for (int f = fFirst; f <= fLast; f++) {
            const int n = p - f * hop;
            const double wt = sm_hann(n, nFft);
            s += (double)frames[(c * frameCount + f) * nFft + n] / nFft * wt;
            wsum += wt * wt;
        }
        out[i] = wsum > 1e-10 ? (float)(s / wsum) : 0.0f;
    }
}

/* out[c][k] = mean over frames of |X[c][f][k]|^2. */
extern "C" __global__ void sm_mean_power_kernel(const float2* __restrict__ spec, float* __restrict__ out, int clips,
                                                int frameCount, int bins) {
    const long long total = (long long)clips * bins;
    SM_GRID_STRIDE(i, total) {
        const int k = (int)(i % bins);
        const long long c = i / bins;
        const float2* col = spec + c * frameCount * bins + k;
        double p = 0.0;
        for (int f = 0; f < frameCount; f++) {
            const float2 v = col[(long long)f * bins];
            p += (double)v.x * v.x + (double)v.y * v.y;
        }
        out[i] = (float)(p / frameCount);
    }
}

/* out[c][t] = sum_j taps[j] * x[c][t + (T-1)/2 - j], zero outside the clip (numpy "same", odd T). */
extern "C" __global__ void sm_fir_kernel(const float* __restrict__ x, float* __restrict__ out, int clips, int length,
                                         const float* __restrict__ taps, int tapCount) {
    const long long total = (long long)clips * length;
    const int mid = (tapCount - 1) / 2;
    SM_GRID_STRIDE(i, total) {
        const int t = (int)(i % length);
        const float* clip = x + (i - t);
        int jFirst = t + mid - (length - 1);
        if (jFirst < 0) jFirst = 0;
        int jLast = t + mid;
        if (jLast > tapCount - 1) jLast = tapCount - 1;
        double acc = 0.0;
        for (int j = jFirst; j <= jLast; j++) {
            acc += (double)taps[j] * clip[t + mid - j];
        }
        out[i] = (float)acc;
    }
}
