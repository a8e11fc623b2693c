/*
 * Spectral gate, mean power spectrum and FIR filtering of mono float32 clips. FFTs through
 * FFTW (single precision), with plans made once per size and executed with the new-array
 * interface, which is thread-safe.
 */
#include "screenmesh.h"
#include "include/screenmesh_math.h"

#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

typedef struct {
    int n;
    fftwf_plan r2c;
    fftwf_plan c2r;
    float *window;  /* periodic Hann of n, shared read-only */
} plan_entry;

#define SM_MAX_PLANS 32
static plan_entry plans[SM_MAX_PLANS];
static int plan_count;
/* FFTW's planner is not thread-safe; execution of a finished plan on new arrays is. */
static pthread_mutex_t plan_lock = PTHREAD_MUTEX_INITIALIZER;

static const plan_entry *plans_for(int n) {
    const plan_entry *found = NULL;
    pthread_mutex_lock(&plan_lock);
    for (int i = 0; i < plan_count; i++) {
        if (plans[i].n == n) found = &plans[i];
    }
    if (!found && plan_count < SM_MAX_PLANS) {
        float *buf = fftwf_alloc_real((size_t)n);
        fftwf_complex *spec = fftwf_alloc_complex((size_t)n / 2 + 1);
        float *window = malloc(sizeof(float) * (size_t)n);
        if (buf && spec && window) {
            plan_entry *e = &plans[plan_count];
            /* MEASURE costs milliseconds once per size and buys faster transforms for every frame. */
            e->r2c = fftwf_plan_dft_r2c_1d(n, buf, spec, FFTW_MEASURE);
            e->c2r = fftwf_plan_dft_c2r_1d(n, spec, buf, FFTW_MEASURE);
            for (int i = 0; i < n; i++) window[i] = sm_hann(i, n);
            e->window = window;
            window = NULL;
            if (e->r2c && e->c2r) {
                e->n = n;
                plan_count++;
                found = e;
            }
        }
        free(window);
        fftwf_free(buf);
        fftwf_free(spec);
    }
    pthread_mutex_unlock(&plan_lock);
    return found;
}

/* Windowed frame f of a clip (N/2 zeros in front, zeros past the end) into buf. */
static void load_frame(const float *clip, int length, int f, int hop, int n, const float *window, float *buf) {
    int64_t start = (int64_t)f * hop - n / 2;
    for (int i = 0; i < n; i++) {
        int64_t t = start + i;
        buf[i] = (t >= 0 && t < length) ? clip[t] * window[i] : 0.0f;
    }
}

typedef struct {
    int frames, bins;
    fftwf_complex *spec; /* frames x bins */
    float *db;           /* frames x bins, then the smoothed-in-frequency mask */
    float *mask;         /* frames x bins */
    float *framesout;    /* frames x n */
    float *thr;          /* bins */
    float *wf;           /* bins: frequency smoothing normalization */
} gate_work;

static void gate_free(gate_work *g) {
    fftwf_free(g->spec);
    free(g->db);
    free(g->mask);
    fftwf_free(g->framesout);
    free(g->thr);
    free(g->wf);
}

static int gate_alloc(gate_work *g, int frames, int bins, int n) {
    memset(g, 0, sizeof(*g));
    g->frames = frames;
    g->bins = bins;
    size_t cells = (size_t)frames * bins;
    g->spec = fftwf_alloc_complex(cells);
    g->db = malloc(sizeof(float) * cells);
    g->mask = malloc(sizeof(float) * cells);
    g->framesout = fftwf_alloc_real((size_t)frames * n);
    g->thr = malloc(sizeof(float) * bins);
    g->wf = malloc(sizeof(float) * bins);
    if (!g->spec || !g->db || !g->mask || !g->framesout || !g->thr || !g->wf) {
        gate_free(g);
        return SM_ENOMEM;
    }
    return 0;
}

/* out[t] = sum of the frames covering t / sum of the squared window over them. */
static void overlap_add(const float *framesout, int frames, int n, int hop, const float *window,
                        float *out, int length) {
#pragma omp for schedule(static)
    for (int t = 0; t < length; t++) {
        int64_t p = (int64_t)t + n / 2;
        int64_t fmax = p / hop;
        if (fmax > frames - 1) fmax = frames - 1;
        float acc = 0.0f, wss = 0.0f;
        for (int64_t f = fmax; f >= 0 && p - f * hop < n; f--) {
            int64_t i = p - f * hop;
            acc += framesout[f * n + i];
            wss += window[i] * window[i];
        }
        out[t] = wss > 1e-10f ? acc / wss : 0.0f;
    }
}

static int gate_clip(const float *clip, float *out, int length, const plan_entry *pe, int hop, float n_std,
                     float prop, int fh, int th, float top_db, float soft, gate_work *g) {
    int n = pe->n, frames = g->frames, bins = g->bins;
    const float *window = pe->window;
    int failed = 0;
#pragma omp parallel
    {
        float *buf = fftwf_alloc_real((size_t)n);
        fftwf_complex *cbuf = fftwf_alloc_complex((size_t)bins);
        float *row = malloc(sizeof(float) * bins);
        if (!buf || !cbuf || !row) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp barrier
        if (!failed) {
            /* 1. STFT and dB. */
#pragma omp for schedule(static)
            for (int f = 0; f < frames; f++) {
                fftwf_complex *s = g->spec + (size_t)f * bins;
                load_frame(clip, length, f, hop, n, window, buf);
                /* Rows of spec are not SIMD-aligned (bins is odd): transform into the aligned
                 * buffer the plan expects, then copy. */
                fftwf_execute_dft_r2c(pe->r2c, buf, cbuf);
                memcpy(s, cbuf, sizeof(fftwf_complex) * (size_t)bins);
                float *d = g->db + (size_t)f * bins;
                for (int k = 0; k < bins; k++) d[k] = sm_db(s[k][0], s[k][1]);
            }
            /* 2. Noise profile per bin: floor at max - top_db, threshold mean + n_std * std. */
#pragma omp for schedule(static)
            for (int k = 0; k < bins; k++) {
                float mx = -INFINITY;
                for (int f = 0; f < frames; f++) mx = fmaxf(mx, g->db[(size_t)f * bins + k]);
                float floor_db = mx - top_db;
                double sum = 0.0, sum2 = 0.0;
                for (int f = 0; f < frames; f++) {
                    float v = fmaxf(g->db[(size_t)f * bins + k], floor_db);
                    g->db[(size_t)f * bins + k] = v;
                    sum += v;
                }
                double mean = sum / frames;
                for (int f = 0; f < frames; f++) {
                    double dv = g->db[(size_t)f * bins + k] - mean;
                    sum2 += dv * dv;
                }
                g->thr[k] = (float)(mean + n_std * sqrt(sum2 / frames));
                float wsum = 0.0f;
                for (int i = -fh; i <= fh; i++) {
                    if (k + i >= 0 && k + i < bins) wsum += sm_triangle(i, fh);
                }
                g->wf[k] = wsum;
            }
            /* 3. Soft mask, smoothed along frequency (renormalized at the edges). */
#pragma omp for schedule(static)
            for (int f = 0; f < frames; f++) {
                float *d = g->db + (size_t)f * bins;
                for (int k = 0; k < bins; k++) row[k] = sm_gate_mask(d[k] - g->thr[k], soft, prop);
                float *m = g->mask + (size_t)f * bins;
                for (int k = 0; k < bins; k++) {
                    float acc = 0.0f;
                    int i0 = k - fh < 0 ? -k : -fh;
                    int i1 = k + fh >= bins ? bins - 1 - k : fh;
                    for (int i = i0; i <= i1; i++) acc += sm_triangle(i, fh) * row[k + i];
                    m[k] = acc / g->wf[k];
                }
            }
            /* 4. Smooth along time, apply, inverse FFT, window. */
#pragma omp for schedule(static)
            for (int f = 0; f < frames; f++) {
                int j0 = f - th < 0 ? -f : -th;
                int j1 = f + th >= frames ? frames - 1 - f : th;
                float wt = 0.0f;
                for (int j = j0; j <= j1; j++) wt += sm_triangle(j, th);
                for (int k = 0; k < bins; k++) row[k] = 0.0f;
                for (int j = j0; j <= j1; j++) {
                    float c = sm_triangle(j, th) / wt;
                    const float *m = g->mask + (size_t)(f + j) * bins;
                    for (int k = 0; k < bins; k++) row[k] += c * m[k];
                }
                const fftwf_complex *s = g->spec + (size_t)f * bins;
                for (int k = 0; k < bins; k++) {
                    cbuf[k][0] = s[k][0] * row[k];
                    cbuf[k][1] = s[k][1] * row[k];
                }
                fftwf_execute_dft_c2r(pe->c2r, cbuf, buf);
                float *o = g->framesout + (size_t)f * n;
                float scale = 1.0f / (float)n;
                for (int i = 0; i < n; i++) o[i] = buf[i] * scale * window[i];
            }
            /* 5. Normalized overlap-add. */
            overlap_add(g->framesout, frames, n, hop, window, out, length);
        }
        fftwf_free(buf);
        fftwf_free(cbuf);
        free(row);
    }
    return failed ? SM_ENOMEM : 0;
}

int screenmesh_spectral_gate(const float *in, float *out, int clips, int length, int nfft, int hop, float n_std,
                             float prop_decrease, int freq_smooth, int time_smooth, float top_db,
                             float softness_db) {
    const plan_entry *pe = plans_for(nfft);
    if (!pe) return SM_ENOMEM;
    gate_work g;
    if (gate_alloc(&g, sm_frames(length, hop), nfft / 2 + 1, nfft)) return SM_ENOMEM;
    int rc = 0;
    for (int c = 0; c < clips && rc == 0; c++) {
        rc = gate_clip(in + (int64_t)c * length, out + (int64_t)c * length, length, pe, hop, n_std, prop_decrease,
                       freq_smooth, time_smooth, top_db, softness_db, &g);
    }
    gate_free(&g);
    return rc;
}

int screenmesh_power_spectrum(const float *in, float *out, int clips, int length, int nfft, int hop) {
    const plan_entry *pe = plans_for(nfft);
    if (!pe) return SM_ENOMEM;
    int frames = sm_frames(length, hop), bins = nfft / 2 + 1;
    float *power = malloc(sizeof(float) * (size_t)frames * bins);
    if (!power) return SM_ENOMEM;
    int failed = 0;
    for (int c = 0; c < clips && !failed; c++) {
        const float *clip = in + (int64_t)c * length;
#pragma omp parallel
        {
            float *buf = fftwf_alloc_real((size_t)nfft);
            fftwf_complex *spec = fftwf_alloc_complex((size_t)bins);
            if (!buf || !spec) {
#pragma omp atomic write
                failed = 1;
            }
#pragma omp barrier
            if (!failed) {
#pragma omp for schedule(static)
                for (int f = 0; f < frames; f++) {
                    load_frame(clip, length, f, hop, nfft, pe->window, buf);
                    fftwf_execute_dft_r2c(pe->r2c, buf, spec);
                    float *p = power + (size_t)f * bins;
                    for (int k = 0; k < bins; k++) p[k] = spec[k][0] * spec[k][0] + spec[k][1] * spec[k][1];
                }
#pragma omp for schedule(static)
                for (int k = 0; k < bins; k++) {
                    double acc = 0.0;
                    for (int f = 0; f < frames; f++) acc += power[(size_t)f * bins + k];
                    out[(int64_t)c * bins + k] = (float)(acc / frames);
                }
            }
            fftwf_free(buf);
            fftwf_free(spec);
        }
    }
    free(power);
    return failed ? SM_ENOMEM : 0;
}

#define SM_FIR_BLOCK 4096

/* out[t] = sum_j taps[j] * x[t + m - j], zeros outside the clip; blocks of t vectorize over t. */
int screenmesh_fir(const float *in, float *out, int clips, int length, const float *taps, int ntaps) {
    int m = (ntaps - 1) / 2;
    int64_t blocks_per_clip = (length + SM_FIR_BLOCK - 1) / SM_FIR_BLOCK;
    int64_t blocks = blocks_per_clip * clips;
    int failed = 0;
#pragma omp parallel if (blocks > 1)
    {
        float *xp = malloc(sizeof(float) * (SM_FIR_BLOCK + 2 * (size_t)m));
        float *acc = malloc(sizeof(float) * SM_FIR_BLOCK);
        if (!xp || !acc) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(static)
        for (int64_t b = 0; b < blocks; b++) {
            if (!xp || !acc) continue;
            const float *clip = in + (b / blocks_per_clip) * (int64_t)length;
            int t0 = (int)(b % blocks_per_clip) * SM_FIR_BLOCK;
            int len = length - t0 < SM_FIR_BLOCK ? length - t0 : SM_FIR_BLOCK;
            /* xp[u] = x[t0 - m + u] with zeros outside the clip. */
            for (int u = 0; u < len + 2 * m; u++) {
                int64_t t = (int64_t)t0 - m + u;
                xp[u] = (t >= 0 && t < length) ? clip[t] : 0.0f;
            }
            for (int t = 0; t < len; t++) acc[t] = 0.0f;
            for (int j = 0; j < ntaps; j++) {
                float tj = taps[j];
                const float *src = xp + 2 * m - j;
                for (int t = 0; t < len; t++) acc[t] += tj * src[t];
            }
            memcpy(out + (b / blocks_per_clip) * (int64_t)length + t0, acc, sizeof(float) * (size_t)len);
        }
        free(xp);
        free(acc);
    }
    return failed ? SM_ENOMEM : 0;
}
