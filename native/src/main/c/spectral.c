/*
 * Spectral gate, mean power spectrum and FIR filtering of mono float32 clips. FFTs through
 * FFTW (single precision), with plans made once per size and executed with the new-array
 * interface, which is thread-safe.
 */
#include "screenmesh.h"
#include "include/screenmesh_math.h"
#include "team.h"

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
    float *wn;      /* window / n: the synthesis window with the inverse FFT's scale folded in */
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
        float *window = malloc(sizeof(float) * 2 * (size_t)n);
        if (buf && spec && window) {
            plan_entry *e = &plans[plan_count];
            /* MEASURE costs milliseconds once per size and buys faster transforms for every frame. */
            e->r2c = fftwf_plan_dft_r2c_1d(n, buf, spec, FFTW_MEASURE);
            e->c2r = fftwf_plan_dft_c2r_1d(n, spec, buf, FFTW_MEASURE);
            for (int i = 0; i < n; i++) {
                window[i] = sm_hann(i, n);
                window[n + i] = window[i] / (float)n;
            }
            e->window = window;
            e->wn = window + n;
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

/* AVX-512 where the CPU has it, the AVX2 baseline otherwise; gcc dispatches once via ifunc. */
#define SM_CLONES __attribute__((target_clones("arch=x86-64-v4", "default")))

/* Spectrum rows start on 64-byte boundaries, so FFTW writes them in place with the alignment its
 * plans were made for, and row loops stay vectorizable. */
#define SM_ROUND_UP(x, m) (((x) + (m) - 1) / (m) * (m))

/*
 * ln(x) for the gate's dB values, branch-free so loops over a spectrum row vectorize (libm's
 * logf does not). Cephes' single-precision logf: the exponent split off, the mantissa in
 * [sqrt(1/2), sqrt(2)) through a degree-9 polynomial; about 1 ulp, far inside the gate's
 * 1e-4 tolerance. x must be positive; +inf and NaN pass through.
 */
static inline float fast_logf(float x) {
    union { float f; int32_t i; } u = {x};
    int32_t bits = u.i;
    int32_t e = ((bits >> 23) & 0xff) - 126;
    u.i = (u.i & 0x007fffff) | 0x3f000000; /* mantissa in [0.5, 1) */
    float m = u.f;
    int small = m < 0.70710678f;
    e -= small;
    m = small ? m + m - 1.0f : m - 1.0f;
    float z = m * m;
    float y = 7.0376836292E-2f;
    y = y * m - 1.1514610310E-1f;
    y = y * m + 1.1676998740E-1f;
    y = y * m - 1.2420140846E-1f;
    y = y * m + 1.4249322787E-1f;
    y = y * m - 1.6668057665E-1f;
    y = y * m + 2.0000714765E-1f;
    y = y * m - 2.4999993993E-1f;
    y = y * m + 3.3333331174E-1f;
    y = y * m * z;
    float fe = (float)e;
    y += -2.12194440E-4f * fe;
    y += -0.5f * z;
    union { float f; int32_t i; } r = {m + y + 0.693359375f * fe};
    /* A bitwise select: a float one would keep gcc from vectorizing under -ftrapping-math. */
    int32_t finite = -(bits < 0x7f800000);
    r.i = (r.i & finite) | (bits & ~finite);
    return r.f;
}

/* e^x, branch-free (Cephes' expf: 2^n times a degree-5 polynomial on [-ln2/2, ln2/2]); about
 * 1 ulp. The argument is clamped to the normal range, which only matters where the gate's
 * sigmoid is already 0 or 1 to float precision. */
static inline float fast_expf(float x) {
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    float n = rintf(x * 1.44269504088896341f);
    x = x - n * 0.693359375f + n * 2.12194440E-4f;
    float z = x * x;
    float y = 1.9875691500E-4f;
    y = y * x + 1.3981999507E-3f;
    y = y * x + 8.3334519073E-3f;
    y = y * x + 4.1665795894E-2f;
    y = y * x + 1.6666665459E-1f;
    y = y * x + 5.0000001201E-1f;
    y = y * z + x + 1.0f;
    union { int32_t i; float f; } p = {((int32_t)n + 127) << 23};
    return y * p.f;
}

/* 20·log10(x) = (20 / ln 10)·ln(x). */
#define SM_DB_PER_NEPER 8.68588963806503655f

/*
 * Scratch memory of the gate that is too large to fault in on every call (a 30 s clip needs
 * ~12 MB): the last block released is kept for the next call, up to SM_KEEP_MAX bytes.
 * Concurrent calls each get their own block.
 */
#define SM_KEEP_MAX ((size_t)64 << 20)
static pthread_mutex_t keep_lock = PTHREAD_MUTEX_INITIALIZER;
static void *kept;
static size_t kept_bytes;

static void *scratch_acquire(size_t bytes) {
    void *p = NULL;
    pthread_mutex_lock(&keep_lock);
    if (kept && kept_bytes >= bytes) {
        p = kept;
        kept = NULL;
    }
    pthread_mutex_unlock(&keep_lock);
    return p ? p : fftwf_malloc(bytes);
}

static void scratch_release(void *p, size_t bytes) {
    if (!p) return;
    void *drop = p;
    if (bytes <= SM_KEEP_MAX) {
        pthread_mutex_lock(&keep_lock);
        if (!kept || kept_bytes < bytes) {
            drop = kept;
            kept = p;
            kept_bytes = bytes;
        }
        pthread_mutex_unlock(&keep_lock);
    }
    fftwf_free(drop);
}

/* The frames of a clip whose padded span [f·hop, f·hop + n) meets padded positions [p0, p1). */
static void frames_covering(int64_t p0, int64_t p1, int n, int hop, int frames, int *fa, int *fb) {
    int64_t lo = p0 - n + 1 <= 0 ? 0 : (p0 - n + 1 + hop - 1) / hop;
    int64_t hi = (p1 - 1) / hop + 1;
    *fa = (int)lo;
    *fb = (int)(hi < frames ? hi : frames);
}

/* Windowed frame f of a clip (N/2 zeros in front, zeros past the end) into buf. */
SM_CLONES static void load_frame(const float *restrict clip, int length, int f, int hop, int n,
                                 const float *restrict window, float *restrict buf) {
    int64_t start = (int64_t)f * hop - n / 2;
    if (start >= 0 && start + n <= length) {
        const float *x = clip + start;
        for (int i = 0; i < n; i++) buf[i] = x[i] * window[i];
        return;
    }
    for (int i = 0; i < n; i++) {
        int64_t t = start + i;
        buf[i] = (t >= 0 && t < length) ? clip[t] * window[i] : 0.0f;
    }
}

/* dB of each bin of a spectrum row, and the running maximum per bin. */
SM_CLONES static void db_row(const float *restrict spec /* interleaved re, im */, int bins,
                             float *restrict db, float *restrict vmax) {
    for (int k = 0; k < bins; k++) {
        float re = spec[2 * k], im = spec[2 * k + 1];
        float v = SM_DB_PER_NEPER * fast_logf(sqrtf(re * re + im * im) + 1e-10f);
        db[k] = v;
        vmax[k] = vmax[k] < v ? v : vmax[k];
    }
}

/* Sums of (v - max) and its square per bin, v = max(db, floor), in double like the oracle. */
SM_CLONES static void stats_row(const float *restrict db, const float *restrict vmax, const float *restrict floor_db,
                                int bins, double *restrict s1, double *restrict s2) {
    for (int k = 0; k < bins; k++) {
        float v = db[k] < floor_db[k] ? floor_db[k] : db[k];
        double d = (double)v - (double)vmax[k];
        s1[k] += d;
        s2[k] += d * d;
    }
}

/* The gate's mask of one frame, smoothed along frequency (renormalized at the edges) into m. */
SM_CLONES static void mask_row(const float *restrict db, const float *restrict floor_db, const float *restrict thr,
                               int bins, float neg_inv_soft, float prop, int fh, const float *restrict tri,
                               const float *restrict inv_wf, float *restrict raw, float *restrict m) {
    float keep = 1.0f - prop;
    if (neg_inv_soft != 0.0f) {
        for (int k = 0; k < bins; k++) {
            float v = db[k] < floor_db[k] ? floor_db[k] : db[k];
            raw[k] = keep + prop / (1.0f + fast_expf((v - thr[k]) * neg_inv_soft));
        }
    } else {
        for (int k = 0; k < bins; k++) {
            float v = db[k] < floor_db[k] ? floor_db[k] : db[k];
            raw[k] = keep + (v - thr[k] > 0.0f ? prop : 0.0f);
        }
    }
    if (fh == 0) {
        for (int k = 0; k < bins; k++) m[k] = raw[k];
        return;
    }
    int inner_end = bins - fh;
    for (int k = 0; k < bins; k++) {
        if (k == fh && k < inner_end) k = inner_end; /* the interior is done below */
        float acc = 0.0f;
        for (int i = -fh; i <= fh; i++) {
            if (k + i >= 0 && k + i < bins) acc += tri[i] * raw[k + i];
        }
        m[k] = acc * inv_wf[k];
    }
    /* Interior: one vectorizable pass over k per tap. */
    for (int k = fh; k < inner_end; k++) m[k] = tri[-fh] * raw[k - fh];
    for (int i = -fh + 1; i <= fh; i++) {
        float w = tri[i];
        for (int k = fh; k < inner_end; k++) m[k] += w * raw[k + i];
    }
    for (int k = fh; k < inner_end; k++) m[k] *= inv_wf[k];
}

typedef float sm_v16 __attribute__((vector_size(64), aligned(4)));

/*
 * Time smoothing of the mask at one frame, applied to its spectrum: c[k] = s[k] · Σ_j w_j m_j[k].
 * Written with 16-wide vectors: gcc's own schedule for this loop nest (unroll-and-jam over j)
 * stays scalar.
 */
SM_CLONES static void apply_row(const float *const *rows, const float *weights, int nrows, const float *restrict s,
                                int bins, float *restrict c) {
    int k = 0;
    for (; k + 16 <= bins; k += 16) {
        sm_v16 g = weights[0] * *(const sm_v16 *)(rows[0] + k);
        for (int j = 1; j < nrows; j++) g += weights[j] * *(const sm_v16 *)(rows[j] + k);
        sm_v16 lo = __builtin_shufflevector(g, g, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
        sm_v16 hi = __builtin_shufflevector(g, g, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
        *(sm_v16 *)(c + 2 * k) = *(const sm_v16 *)(s + 2 * k) * lo;
        *(sm_v16 *)(c + 2 * k + 16) = *(const sm_v16 *)(s + 2 * k + 16) * hi;
    }
    for (; k < bins; k++) {
        float g = 0.0f;
        for (int j = 0; j < nrows; j++) g += weights[j] * rows[j][k];
        c[2 * k] = s[2 * k] * g;
        c[2 * k + 1] = s[2 * k + 1] * g;
    }
}

/* Adds a windowed, scaled inverse frame to out[0, len). */
SM_CLONES static void add_frame(float *restrict out, const float *restrict frame, const float *restrict wn, int len) {
    for (int i = 0; i < len; i++) out[i] += frame[i] * wn[i];
}

/* out[i] *= scale[i]. */
SM_CLONES static void scale_row(float *restrict out, const float *restrict scale, int len) {
    for (int i = 0; i < len; i++) out[i] *= scale[i];
}

typedef struct {
    int n, hop, frames, bins, sstride, dstride, threads;
    float *spec;     /* frames x sstride complex, interleaved */
    float *db;       /* frames x dstride */
    float *vmax;     /* threads x dstride, then the clip's maximum per bin in row 0 */
    float *floor_db; /* dstride */
    float *thr;      /* dstride */
    double *sums;    /* threads x 2 x dstride */
} gate_work;

static size_t gate_bytes(int frames, int sstride, int dstride, int threads) {
    return sizeof(float) * ((size_t)frames * 2 * sstride + (size_t)frames * dstride + (size_t)(threads + 2) * dstride)
           + sizeof(double) * (size_t)threads * 2 * dstride;
}

static void gate_layout(gate_work *g, float *mem) {
    g->spec = mem;
    g->db = g->spec + (size_t)g->frames * 2 * g->sstride;
    g->vmax = g->db + (size_t)g->frames * g->dstride;
    g->floor_db = g->vmax + (size_t)g->threads * g->dstride;
    g->thr = g->floor_db + g->dstride;
    g->sums = (double *)(g->thr + g->dstride);
}

/* 1/(sum of the squared window over the frames covering padded position p), 0 where it vanishes. */
static float inv_wss_at(int64_t p, int n, int hop, int frames, const float *window) {
    int64_t fmax = p / hop;
    if (fmax > frames - 1) fmax = frames - 1;
    float wss = 0.0f;
    for (int64_t f = fmax; f >= 0 && p - f * hop < n; f--) {
        float w = window[p - f * hop];
        wss += w * w;
    }
    return wss > 1e-10f ? 1.0f / wss : 0.0f;
}

/*
 * Masks, inverse transforms and overlap-adds the frames that cover samples [t0, t1) of the clip
 * into out[t0, t1), then normalizes them. Threads own disjoint sample ranges; the few frames and
 * mask rows at a range's edges are computed by both neighbours.
 */
static int gate_synthesize(const gate_work *g, const plan_entry *pe, float *out, int length, int t0, int t1, float prop,
                           float soft, int fh, int th, const float *tri_f, const float *inv_wf, const float *inv_tbl) {
    int n = g->n, hop = g->hop, frames = g->frames, bins = g->bins, ring = 2 * th + 1;
    int64_t p0 = (int64_t)t0 + n / 2, p1 = (int64_t)t1 + n / 2;
    int fa, fb;
    frames_covering(p0, p1, n, hop, frames, &fa, &fb);
    float *buf = fftwf_alloc_real((size_t)n);
    float *cbuf = fftwf_alloc_real((size_t)2 * g->sstride);
    float *raw = malloc(sizeof(float) * (size_t)g->dstride);
    float *mrows = malloc(sizeof(float) * (size_t)ring * g->dstride);
    const float **rows = malloc(sizeof(float *) * (size_t)ring);
    float *weights = malloc(sizeof(float) * (size_t)ring);
    int rc = 0;
    if (!buf || !cbuf || !raw || !mrows || !rows || !weights) {
        rc = SM_ENOMEM;
        goto done;
    }
    const float *window = pe->window;
    float neg_inv_soft = soft > 0.0f ? -1.0f / soft : 0.0f;
    for (int t = t0; t < t1; t++) out[t] = 0.0f;
    /* Ring slot of frame r is r % ring; rows [fa - th, next) are computed. */
    int next = fa - th < 0 ? 0 : fa - th;
    for (int f = fa; f < fb; f++) {
        int last = f + th < frames - 1 ? f + th : frames - 1;
        for (; next <= last; next++) {
            mask_row(g->db + (size_t)next * g->dstride, g->floor_db, g->thr, bins, neg_inv_soft, prop, fh, tri_f,
                     inv_wf, raw, mrows + (size_t)(next % ring) * g->dstride);
        }
        int j0 = f - th < 0 ? -f : -th;
        int j1 = f + th >= frames ? frames - 1 - f : th;
        float wt = 0.0f;
        for (int j = j0; j <= j1; j++) wt += sm_triangle(j, th);
        int nr = 0;
        for (int j = j0; j <= j1; j++, nr++) {
            rows[nr] = mrows + (size_t)((f + j) % ring) * g->dstride;
            weights[nr] = sm_triangle(j, th) / wt;
        }
        apply_row(rows, weights, nr, g->spec + (size_t)f * 2 * g->sstride, bins, cbuf);
        fftwf_execute_dft_c2r(pe->c2r, (fftwf_complex *)cbuf, buf);
        /* The frame's samples that fall in [t0, t1). */
        int64_t first = (int64_t)f * hop - n / 2;
        int i0 = first < t0 ? (int)(t0 - first) : 0;
        int i1 = first + n > t1 ? (int)(t1 - first) : n;
        if (i1 > i0) add_frame(out + first + i0, buf + i0, pe->wn + i0, i1 - i0);
    }
    /* Normalize. Where every covering frame exists (padded position p >= n - 1 and p < frames·hop)
     * the window sum repeats with period hop: a table, one hop-long row at a time. */
    int64_t ia = (int64_t)n - 1 - n / 2, ib = (int64_t)frames * hop - n / 2;
    ia = ia < t0 ? t0 : (ia > t1 ? t1 : ia);
    ib = ib > t1 ? t1 : (ib < ia ? ia : ib);
    for (int64_t t = t0; t < ia; t++) out[t] *= inv_wss_at(t + n / 2, n, hop, frames, window);
    for (int64_t t = ib; t < t1; t++) out[t] *= inv_wss_at(t + n / 2, n, hop, frames, window);
    for (int64_t t = ia; t < ib;) {
        int r = (int)((t + n / 2) % hop);
        int len = hop - r < ib - t ? hop - r : (int)(ib - t);
        scale_row(out + t, inv_tbl + r, len);
        t += len;
    }
done:
    fftwf_free(buf);
    fftwf_free(cbuf);
    free(raw);
    free(mrows);
    free(rows);
    free(weights);
    return rc;
}

/* Clips shorter than this many frames run on one thread. */
#define SM_GATE_PARALLEL_FRAMES 64

static int gate_clip(const float *clip, float *out, int length, const plan_entry *pe, float n_std, float prop, int fh,
                     int th, float top_db, float soft, gate_work *g, const float *tri_f, const float *inv_wf,
                     const float *inv_tbl) {
    int n = g->n, hop = g->hop, frames = g->frames, bins = g->bins, dstride = g->dstride;
    int failed = 0;
#pragma omp parallel num_threads(g->threads)
    {
        int tid = omp_get_thread_num(), nt = omp_get_num_threads();
        float *vmax = g->vmax + (size_t)tid * dstride;
        double *s1 = g->sums + (size_t)tid * 2 * dstride, *s2 = s1 + dstride;
        float *buf = fftwf_alloc_real((size_t)n);
        if (!buf) {
#pragma omp atomic write
            failed = 1;
        }
        for (int k = 0; k < bins; k++) {
            vmax[k] = -INFINITY;
            s1[k] = s2[k] = 0.0;
        }
#pragma omp barrier
        /* 1. STFT, dB and the maximum per bin. */
        if (!failed) {
#pragma omp for schedule(static)
            for (int f = 0; f < frames; f++) {
                float *s = g->spec + (size_t)f * 2 * g->sstride;
                load_frame(clip, length, f, hop, n, pe->window, buf);
                fftwf_execute_dft_r2c(pe->r2c, buf, (fftwf_complex *)s);
                db_row(s, bins, g->db + (size_t)f * dstride, vmax);
            }
#pragma omp single
            {
                for (int t = 1; t < nt; t++) {
                    const float *o = g->vmax + (size_t)t * dstride;
                    for (int k = 0; k < bins; k++) g->vmax[k] = g->vmax[k] < o[k] ? o[k] : g->vmax[k];
                }
                for (int k = 0; k < bins; k++) g->floor_db[k] = g->vmax[k] - top_db;
            }
            /* 2. Noise profile per bin: mean + n_std * std of the dB floored at max - top_db. */
#pragma omp for schedule(static)
            for (int f = 0; f < frames; f++) stats_row(g->db + (size_t)f * dstride, g->vmax, g->floor_db, bins, s1, s2);
#pragma omp single
            for (int k = 0; k < bins; k++) {
                double a = 0.0, b = 0.0;
                for (int t = 0; t < nt; t++) {
                    a += g->sums[(size_t)t * 2 * dstride + k];
                    b += g->sums[(size_t)t * 2 * dstride + dstride + k];
                }
                double mean = a / frames, var = b / frames - mean * mean;
                g->thr[k] = (float)((double)g->vmax[k] + mean + n_std * sqrt(var > 0.0 ? var : 0.0));
            }
            /* 3. Mask, smoothing, inverse FFT and overlap-add over each thread's share of samples. */
            int64_t t0 = (int64_t)length * tid / nt, t1 = (int64_t)length * (tid + 1) / nt;
            if (gate_synthesize(g, pe, out, length, (int)t0, (int)t1, prop, soft, fh, th, tri_f, inv_wf, inv_tbl)) {
#pragma omp atomic write
                failed = 1;
            }
        }
        fftwf_free(buf);
    }
    return failed ? SM_ENOMEM : 0;
}

int screenmesh_spectral_gate(const float *in, float *out, int clips, int length, int nfft, int hop, float n_std,
                             float prop_decrease, int freq_smooth, int time_smooth, float top_db,
                             float softness_db) {
    const plan_entry *pe = plans_for(nfft);
    if (!pe) return SM_ENOMEM;
    gate_work g;
    g.n = nfft;
    g.hop = hop;
    g.frames = sm_frames(length, hop);
    g.bins = nfft / 2 + 1;
    g.sstride = SM_ROUND_UP(g.bins, 8);
    g.dstride = SM_ROUND_UP(g.bins, 16);
    g.threads = g.frames < SM_GATE_PARALLEL_FRAMES ? 1 : sm_team();
    int fh = freq_smooth, th = time_smooth;
    size_t bytes = gate_bytes(g.frames, g.sstride, g.dstride, g.threads);
    void *mem = scratch_acquire(bytes);
    float *tri = malloc(sizeof(float) * (size_t)(2 * fh + 1));
    float *inv_wf = malloc(sizeof(float) * (size_t)g.bins);
    float *inv_tbl = malloc(sizeof(float) * (size_t)hop);
    int rc = 0;
    if (!mem || !tri || !inv_wf || !inv_tbl) {
        rc = SM_ENOMEM;
    } else {
        gate_layout(&g, mem);
        for (int i = -fh; i <= fh; i++) tri[i + fh] = sm_triangle(i, fh);
        for (int k = 0; k < g.bins; k++) {
            float wsum = 0.0f;
            for (int i = -fh; i <= fh; i++) {
                if (k + i >= 0 && k + i < g.bins) wsum += tri[i + fh];
            }
            inv_wf[k] = 1.0f / wsum;
        }
        for (int r = 0; r < hop; r++) {
            float wss = 0.0f;
            for (int i = r; i < nfft; i += hop) wss += pe->window[i] * pe->window[i];
            inv_tbl[r] = wss > 1e-10f ? 1.0f / wss : 0.0f;
        }
        for (int c = 0; c < clips && rc == 0; c++) {
            rc = gate_clip(in + (int64_t)c * length, out + (int64_t)c * length, length, pe, n_std, prop_decrease, fh,
                           th, top_db, softness_db, &g, tri + fh, inv_wf, inv_tbl);
        }
    }
    scratch_release(mem, bytes);
    free(tri);
    free(inv_wf);
    free(inv_tbl);
    return rc;
}

/* Mean power spectrum: per-thread sums over frames in double, no spectrogram kept. */
SM_CLONES static void power_row(const float *restrict spec, int bins, double *restrict acc) {
    for (int k = 0; k < bins; k++) {
        float re = spec[2 * k], im = spec[2 * k + 1];
        acc[k] += re * re + im * im;
    }
}

int screenmesh_power_spectrum(const float *in, float *out, int clips, int length, int nfft, int hop) {
    const plan_entry *pe = plans_for(nfft);
    if (!pe) return SM_ENOMEM;
    int frames = sm_frames(length, hop), bins = nfft / 2 + 1;
    int threads = frames < SM_GATE_PARALLEL_FRAMES ? 1 : sm_team();
    double *sums = calloc((size_t)threads * bins, sizeof(double));
    if (!sums) return SM_ENOMEM;
    int failed = 0;
    for (int c = 0; c < clips && !failed; c++) {
        const float *clip = in + (int64_t)c * length;
#pragma omp parallel num_threads(threads)
        {
            int tid = omp_get_thread_num(), nt = omp_get_num_threads();
            double *acc = sums + (size_t)tid * bins;
            for (int k = 0; k < bins; k++) acc[k] = 0.0;
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
                    power_row((const float *)spec, bins, acc);
                }
#pragma omp for schedule(static)
                for (int k = 0; k < bins; k++) {
                    double total = 0.0;
                    for (int t = 0; t < nt; t++) total += sums[(size_t)t * bins + k];
                    out[(int64_t)c * bins + k] = (float)(total / frames);
                }
            }
            fftwf_free(buf);
            fftwf_free(spec);
        }
    }
    free(sums);
    return failed ? SM_ENOMEM : 0;
}

#define SM_FIR_BLOCK 4096

/* out[t] = sum_j taps[j] * x[t + m - j], zeros outside the clip; blocks of t vectorize over t. */
int screenmesh_fir(const float *in, float *out, int clips, int length, const float *taps, int ntaps) {
    int m = (ntaps - 1) / 2;
    int64_t blocks_per_clip = (length + SM_FIR_BLOCK - 1) / SM_FIR_BLOCK;
    int64_t blocks = blocks_per_clip * clips;
    int failed = 0;
    int team = blocks > 1 ? sm_team() : 1;
#pragma omp parallel num_threads(team)
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
