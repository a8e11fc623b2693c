/*
 * Cosine similarity and top-k against a packed, normalized reference matrix.
 *
 * Layout: rows are packed in panels of SM_PANEL rows interleaved by dimension
 * (panel[d * SM_PANEL + r]), padded with zero rows to a multiple of two panels. The kernel
 * broadcasts one query value and multiplies it into a whole panel, so each score is a plain
 * sequential fused-multiply-add over d in one vector lane: no horizontal sums, and the same
 * arithmetic for every row whatever its position — which keeps exact ties exact, so "ties go
 * to the lower index" holds on this backend too. The AVX-512 and AVX2 kernels differ only in
 * tile shape, not in per-score arithmetic.
 *
 * Top-k on CPUs with AVX512-BF16 filters first: the packed set also holds a bfloat16 copy of
 * every panel (pairs of dimensions per 32-bit lane, for VDPBF16PS, which does twice the
 * multiply-adds of an FP32 FMA per instruction), and only rows whose bf16 score comes within
 * SM_BF16_MARGIN of the k-th best exact score so far are scored exactly, by the same FMA chain
 * in the same order as the FP32 kernel, so scores, ties and indices are those of the FP32 path.
 * The margin bounds the bf16 error: rounding q and r to 8-bit mantissas moves each product by at
 * most 2^-8 |q_d r_d| (plus 2^-18), and |q|=|r|=1 gives sum |q_d r_d| <= 1; both FP32 sums add
 * at most dim * 2^-24 each (< 2^-11 for dim <= SM_BF16_MAX_DIM = 4096, beyond which the filter
 * is off). So |bf16 score - exact score| < 2^-8 + 2^-10, under the 2^-7 used. SCREENMESH_BF16_FILTER=0 leaves the copy out (a third less memory).
 */
#include "screenmesh.h"
#include "team.h"

#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

#define SM_PAIR (2 * SM_PANEL)
#define SM_BLOCK_PAIRS 8 /* 256 rows per work item */

typedef float v8 __attribute__((vector_size(32), aligned(4)));

#define SM_BF16_MARGIN (1.0f / 128.0f)

static int use_avx512(void);

/* Dimensions up to which SM_BF16_MARGIN bounds the bf16 error (see the top of the file). */
#define SM_BF16_MAX_DIM 4096

/* Whether top-k filters with bf16 scores for this dimension (packing and queries must agree). */
static int use_bf16(int dim) {
    static int cached = -1;
    if (cached < 0) {
        const char *v = getenv("SCREENMESH_BF16_FILTER");
        int off = v && (strcmp(v, "0") == 0 || strcmp(v, "false") == 0);
        cached = !off && use_avx512() && __builtin_cpu_supports("avx512bf16");
    }
    return cached && dim <= SM_BF16_MAX_DIM;
}

/* Floats of the FP32 panels. */
static int64_t fp32_size(int64_t n, int dim) { return (n + SM_PAIR - 1) / SM_PAIR * SM_PAIR * (int64_t)dim; }

/* 32-bit words per bf16 panel: dimension pairs x SM_PANEL rows. */
static int64_t bf16_panel_words(int dim) { return (int64_t)(dim + 1) / 2 * SM_PANEL; }

int64_t screenmesh_packed_size(int64_t n, int dim) {
    int64_t size = fp32_size(n, dim);
    if (use_bf16(dim)) size += size / dim / SM_PANEL * bf16_panel_words(dim);
    return size;
}

/* float -> bfloat16, round to nearest even (finite inputs; what VCVTNEPS2BF16 gives). */
static inline uint32_t to_bf16(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
}

/* A bf16 panel from an FP32 panel: word j*SM_PANEL + r holds dimensions 2j (low) and 2j+1 of row r. */
static void pack_bf16_panel(const float *panel, int dim, uint32_t *out) {
    for (int j = 0; j < (dim + 1) / 2; j++) {
        for (int r = 0; r < SM_PANEL; r++) {
            uint32_t lo = to_bf16(panel[(int64_t)2 * j * SM_PANEL + r]);
            uint32_t hi = 2 * j + 1 < dim ? to_bf16(panel[(int64_t)(2 * j + 1) * SM_PANEL + r]) : 0u;
            out[(int64_t)j * SM_PANEL + r] = lo | hi << 16;
        }
    }
}

/* L2 norm in double, summed in order: identical to the java oracle's normalized vectors. */
static void normalize_row(const float *in, float *out, int dim) {
    double sq = 0.0;
    for (int d = 0; d < dim; d++) sq += (double)in[d] * (double)in[d];
    double norm = sqrt(sq);
    for (int d = 0; d < dim; d++) out[d] = norm > 0.0 ? (float)(in[d] / norm) : 0.0f;
}

void screenmesh_normalize(const float *in, float *out, int64_t rows, int dim) {
    int team = rows * dim >= (1 << 16) ? sm_team() : 1;
#pragma omp parallel for schedule(static) num_threads(team)
    for (int64_t r = 0; r < rows; r++) normalize_row(in + r * dim, out + r * dim, dim);
}

void screenmesh_pack_refs(const float *refs, int64_t n, int dim, float *packed) {
    int64_t total_rows = fp32_size(n, dim) / dim;
    uint32_t *bf = use_bf16(dim) ? (uint32_t *)(packed + fp32_size(n, dim)) : NULL;
    int64_t panels = total_rows / SM_PANEL;
#pragma omp parallel num_threads(sm_team())
    {
        float *row = malloc(sizeof(float) * (size_t)dim);
#pragma omp for schedule(static)
        for (int64_t p = 0; p < panels; p++) {
            float *panel = packed + p * SM_PANEL * (int64_t)dim;
            for (int r = 0; r < SM_PANEL; r++) {
                int64_t j = p * SM_PANEL + r;
                if (j < n && row) normalize_row(refs + j * dim, row, dim);
                for (int d = 0; d < dim; d++) panel[(int64_t)d * SM_PANEL + r] = (j < n && row) ? row[d] : 0.0f;
            }
            if (bf) pack_bf16_panel(panel, dim, bf + p * bf16_panel_words(dim));
        }
        free(row);
    }
}

/*
 * 8 queries x 2 panels (32 rows) with 16 zmm accumulators. Explicit FMAs: the bf16 filter's
 * exact rescoring (exact_score) must reproduce these scores bit for bit.
 */
#define QT512 8
__attribute__((target("arch=x86-64-v4"))) static void kernel512(const void *const *qv, const void *pairv, int dim,
                                                                float *tile /* QT512 x 32 */) {
    const float *const *q = (const float *const *)qv;
    const float *pair = pairv;
    __m512 acc[QT512][2];
    for (int i = 0; i < QT512; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    const float *p0 = pair, *p1 = pair + (int64_t)dim * SM_PANEL;
    for (int d = 0; d < dim; d++) {
        __m512 a = _mm512_loadu_ps(p0 + (int64_t)d * SM_PANEL);
        __m512 b = _mm512_loadu_ps(p1 + (int64_t)d * SM_PANEL);
        for (int i = 0; i < QT512; i++) {
            __m512 s = _mm512_set1_ps(q[i][d]);
            acc[i][0] = _mm512_fmadd_ps(s, a, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(s, b, acc[i][1]);
        }
    }
    for (int i = 0; i < QT512; i++) {
        _mm512_storeu_ps(tile + i * SM_PAIR, acc[i][0]);
        _mm512_storeu_ps(tile + i * SM_PAIR + SM_PANEL, acc[i][1]);
    }
}

/* 6 queries x 1 panel (16 rows as two ymm halves) with 12 ymm accumulators. */
#define QT256 6
__attribute__((target("arch=x86-64-v3"))) static void kernel256(const float *const *q, const float *panel, int dim,
                                                                float *tile /* QT256 x 16, stride SM_PAIR */) {
    v8 acc[QT256][2];
    for (int i = 0; i < QT256; i++) acc[i][0] = acc[i][1] = (v8){0};
    for (int d = 0; d < dim; d++) {
        v8 a = *(const v8 *)(panel + (int64_t)d * SM_PANEL);
        v8 b = *(const v8 *)(panel + (int64_t)d * SM_PANEL + 8);
        for (int i = 0; i < QT256; i++) {
            float s = q[i][d];
            acc[i][0] += s * a;
            acc[i][1] += s * b;
        }
    }
    for (int i = 0; i < QT256; i++) {
        *(v8 *)(tile + i * SM_PAIR) = acc[i][0];
        *(v8 *)(tile + i * SM_PAIR + 8) = acc[i][1];
    }
}

static int use_avx512(void) {
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") ? 1 : 0;
    return cached;
}

/* An 8-query x 32-row tile kernel (kernel512 on floats, kernel_bf16 on bf16 pairs). */
typedef void (*tile8_kernel)(const void *const *q, const void *pair, int len, float *tile);

/*
 * Runs an 8-query tile kernel over all queries (rows of qbase, qbytes apart) against one pair
 * of panels into scores[qi * SM_PAIR + r]. Query tails reuse the last query so the kernels stay
 * fixed-size.
 */
static void pair_tiles8(tile8_kernel kernel, const char *qbase, size_t qbytes, int nq, const void *pair, int len,
                        float *scores) {
    float tile[8 * SM_PAIR] __attribute__((aligned(64)));
    for (int q0 = 0; q0 < nq; q0 += 8) {
        const void *qs[8];
        for (int i = 0; i < 8; i++) qs[i] = qbase + (size_t)(q0 + i < nq ? q0 + i : nq - 1) * qbytes;
        kernel(qs, pair, len, tile);
        int rows = nq - q0 < 8 ? nq - q0 : 8;
        memcpy(scores + (int64_t)q0 * SM_PAIR, tile, sizeof(float) * SM_PAIR * rows);
    }
}

/* Scores of all queries against one pair of panels (rows base .. base+31) into scores[qi * SM_PAIR + r]. */
static void pair_scores(const float *qn, int nq, int dim, const float *pair, float *scores) {
    if (use_avx512()) {
        pair_tiles8(kernel512, (const char *)qn, sizeof(float) * (size_t)dim, nq, pair, dim, scores);
    } else {
        float tile[QT256 * SM_PAIR] __attribute__((aligned(64)));
        for (int half = 0; half < 2; half++) {
            const float *panel = pair + (int64_t)half * SM_PANEL * dim;
            for (int q0 = 0; q0 < nq; q0 += QT256) {
                const float *qs[QT256];
                for (int i = 0; i < QT256; i++) qs[i] = qn + (int64_t)(q0 + i < nq ? q0 + i : nq - 1) * dim;
                kernel256(qs, panel, dim, tile);
                int rows = nq - q0 < QT256 ? nq - q0 : QT256;
                for (int i = 0; i < rows; i++)
                    memcpy(scores + (int64_t)(q0 + i) * SM_PAIR + half * SM_PANEL, tile + i * SM_PAIR,
                           sizeof(float) * SM_PANEL);
            }
        }
    }
}

/* 8 queries x 2 bf16 panels (32 rows), dimension pairs per step: approximate scores only. */
#define QTBF 8
__attribute__((target("arch=x86-64-v4,avx512bf16"))) static void kernel_bf16(const void *const *qv,
                                                                             const void *pairv, int dim2,
                                                                             float *tile /* QTBF x 32 */) {
    const uint32_t *const *q = (const uint32_t *const *)qv;
    const uint32_t *pair = pairv;
    __m512 acc[QTBF][2];
    for (int i = 0; i < QTBF; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    const uint32_t *p0 = pair, *p1 = pair + (int64_t)dim2 * SM_PANEL;
    for (int j = 0; j < dim2; j++) {
        __m512bh a = (__m512bh)_mm512_loadu_si512(p0 + (int64_t)j * SM_PANEL);
        __m512bh b = (__m512bh)_mm512_loadu_si512(p1 + (int64_t)j * SM_PANEL);
        for (int i = 0; i < QTBF; i++) {
            __m512bh s = (__m512bh)_mm512_set1_epi32((int)q[i][j]);
            acc[i][0] = _mm512_dpbf16_ps(acc[i][0], a, s);
            acc[i][1] = _mm512_dpbf16_ps(acc[i][1], b, s);
        }
    }
    for (int i = 0; i < QTBF; i++) {
        _mm512_storeu_ps(tile + i * SM_PAIR, acc[i][0]);
        _mm512_storeu_ps(tile + i * SM_PAIR + SM_PANEL, acc[i][1]);
    }
}

/* Approximate scores of all queries (bf16 pairs, dim2 words each) against one bf16 pair of panels. */
static void pair_approx(const uint32_t *qb, int nq, int dim2, const uint32_t *pair, float *scores) {
    pair_tiles8(kernel_bf16, (const char *)qb, sizeof(uint32_t) * (size_t)dim2, nq, pair, dim2, scores);
}

/* Bit r set where approx[r] >= bar, for the 32 rows of a pair (only called where bf16 runs). */
__attribute__((target("arch=x86-64-v4"))) static uint32_t rows_at_least(const float *approx, float bar) {
    __m512 b = _mm512_set1_ps(bar);
    uint32_t lo = _mm512_cmp_ps_mask(_mm512_loadu_ps(approx), b, _CMP_GE_OQ);
    uint32_t hi = _mm512_cmp_ps_mask(_mm512_loadu_ps(approx + SM_PANEL), b, _CMP_GE_OQ);
    return lo | hi << 16;
}

/*
 * The exact score of row r of an FP32 panel: the FP32 kernels' arithmetic for one lane, a fused
 * multiply-add chain over d from 0, in order.
 */
static float exact_score(const float *qrow, const float *panel, int r, int dim) {
    float acc = 0.0f;
    for (int d = 0; d < dim; d++) acc = fmaf(qrow[d], panel[(int64_t)d * SM_PANEL + r], acc);
    return acc;
}

static float *normalized_queries(const float *queries, int q, int dim) {
    float *qn = malloc(sizeof(float) * (size_t)q * dim);
    if (qn) screenmesh_normalize(queries, qn, q, dim);
    return qn;
}

int screenmesh_cosine(const float *packed, int64_t n, int dim, const float *queries, int q, float *scores) {
    float *qn = normalized_queries(queries, q, dim);
    if (!qn) return SM_ENOMEM;
    int64_t pairs = (n + SM_PAIR - 1) / SM_PAIR;
    int failed = 0;
#pragma omp parallel num_threads(sm_team())
    {
        float *s = malloc(sizeof(float) * (size_t)q * SM_PAIR);
        if (!s) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(static)
        for (int64_t p = 0; p < pairs; p++) {
            if (!s) continue;
            pair_scores(qn, q, dim, packed + p * SM_PAIR * (int64_t)dim, s);
            int64_t base = p * SM_PAIR;
            int rows = n - base < SM_PAIR ? (int)(n - base) : SM_PAIR;
            for (int i = 0; i < q; i++) memcpy(scores + (int64_t)i * n + base, s + (int64_t)i * SM_PAIR, sizeof(float) * rows);
        }
        free(s);
    }
    free(qn);
    return failed ? SM_ENOMEM : 0;
}

/* A sorted top-k list: best first; equal scores keep the lower index first. */
static inline void topk_insert(float *best, int32_t *idx, int *filled, int k, float s, int32_t j) {
    int pos;
    if (*filled < k) {
        pos = (*filled)++;
    } else {
        if (!(s > best[k - 1])) return;
        pos = k - 1;
    }
    while (pos > 0 && s > best[pos - 1]) {
        best[pos] = best[pos - 1];
        idx[pos] = idx[pos - 1];
        pos--;
    }
    best[pos] = s;
    idx[pos] = j;
}

/* Insert a candidate from another list: ties go by index, whichever list it came from. */
static inline void topk_merge(float *best, int32_t *idx, int *filled, int k, float s, int32_t j) {
    int pos;
    if (*filled < k) {
        pos = (*filled)++;
    } else {
        if (s < best[k - 1] || (s == best[k - 1] && j > idx[k - 1])) return;
        pos = k - 1;
    }
    while (pos > 0 && (s > best[pos - 1] || (s == best[pos - 1] && j < idx[pos - 1]))) {
        best[pos] = best[pos - 1];
        idx[pos] = idx[pos - 1];
        pos--;
    }
    best[pos] = s;
    idx[pos] = j;
}

/*
 * Rows one pair may send to exact_score before the FP32 tile is cheaper: a lone exact score is
 * a serial chain of dim FMAs, about as long as an eighth of a whole 32-row tile for 64 queries.
 */
#define SM_BF16_RESCORE_MAX 16
/* Pairs that go straight to the FP32 tile after one that had too many candidates (clustered
 * references put most rows near the k-th score; this keeps their cost near the FP32 path's). */
#define SM_BF16_BACKOFF 8

/*
 * Top-k update for one pair of panels through the bf16 filter: a row is scored exactly only
 * while its query's list is filling or its bf16 score is within SM_BF16_MARGIN of the list's
 * k-th exact score (no row that could enter is skipped; see the top of the file). Returns 1,
 * having changed nothing, when more than SM_BF16_RESCORE_MAX rows would need exact scores.
 */
static int topk_pair_filtered(const float *qn, const uint32_t *qb, int q, int dim, int k, const float *pair,
                              const uint32_t *pair_bf, int64_t base, int64_t n, float *s, float *best,
                              int32_t *idx, int *filled) {
    pair_approx(qb, q, (dim + 1) / 2, pair_bf, s);
    int rows = n - base < SM_PAIR ? (int)(n - base) : SM_PAIR;
    uint32_t valid = rows == SM_PAIR ? 0xffffffffu : (1u << rows) - 1;
    int candidates = 0;
    for (int i = 0; i < q && candidates <= SM_BF16_RESCORE_MAX; i++) {
        candidates += filled[i] < k ? rows
                                    : __builtin_popcount(rows_at_least(s + (int64_t)i * SM_PAIR,
                                                                       best[(size_t)i * k + k - 1] - SM_BF16_MARGIN)
                                                         & valid);
    }
    if (candidates > SM_BF16_RESCORE_MAX) return 1;
    for (int i = 0; i < q; i++) {
        const float *approx = s + (int64_t)i * SM_PAIR;
        float *bi = best + (size_t)i * k;
        int32_t *ii = idx + (size_t)i * k;
        const float *qrow = qn + (int64_t)i * dim;
        /* While the list fills every row counts; after that only rows near its k-th score. */
        uint32_t todo = filled[i] < k ? valid : rows_at_least(approx, bi[k - 1] - SM_BF16_MARGIN) & valid;
        while (todo) {
            int r = __builtin_ctz(todo);
            todo &= todo - 1;
            float e = exact_score(qrow, pair + (int64_t)(r / SM_PANEL) * SM_PANEL * dim, r % SM_PANEL, dim);
            topk_insert(bi, ii, &filled[i], k, e, (int32_t)(base + r));
            /* The bar only rises: drop the rows that fell below it. */
            if (filled[i] == k) todo &= rows_at_least(approx, bi[k - 1] - SM_BF16_MARGIN);
        }
    }
    return 0;
}

int screenmesh_topk(const float *packed, int64_t n, int dim, const float *queries, int q, int k, int32_t *indices,
                    float *scores) {
    float *qn = normalized_queries(queries, q, dim);
    if (!qn) return SM_ENOMEM;
    int64_t pairs = (n + SM_PAIR - 1) / SM_PAIR;
    int64_t blocks = (pairs + SM_BLOCK_PAIRS - 1) / SM_BLOCK_PAIRS;
    int threads = sm_team();
    if (threads > blocks) threads = (int)blocks;
    int dim2 = (dim + 1) / 2;
    const uint32_t *bf = use_bf16(dim) ? (const uint32_t *)(packed + fp32_size(n, dim)) : NULL;
    uint32_t *qb = bf ? malloc(sizeof(uint32_t) * (size_t)q * dim2) : NULL;
    if (qb) {
        for (int i = 0; i < q; i++) {
            const float *x = qn + (int64_t)i * dim;
            for (int j = 0; j < dim2; j++) {
                uint32_t hi = 2 * j + 1 < dim ? to_bf16(x[2 * j + 1]) : 0u;
                qb[(int64_t)i * dim2 + j] = to_bf16(x[2 * j]) | hi << 16;
            }
        }
    }
    float *all_best = malloc(sizeof(float) * (size_t)threads * q * k);
    int32_t *all_idx = malloc(sizeof(int32_t) * (size_t)threads * q * k);
    int *all_filled = calloc((size_t)threads * q, sizeof(int));
    int failed = !all_best || !all_idx || !all_filled || (bf && !qb);
    if (!failed) {
#pragma omp parallel num_threads(threads)
        {
            int t = omp_get_thread_num();
            float *best = all_best + (size_t)t * q * k;
            int32_t *idx = all_idx + (size_t)t * q * k;
            int *filled = all_filled + (size_t)t * q;
            float *s = malloc(sizeof(float) * (size_t)q * SM_PAIR);
            int backoff = 0;
            if (!s) {
#pragma omp atomic write
                failed = 1;
            }
            /* Static, contiguous ranges: each thread sees its rows in increasing order. */
#pragma omp for schedule(static)
            for (int64_t b = 0; b < blocks; b++) {
                if (!s) continue;
                for (int64_t p = b * SM_BLOCK_PAIRS; p < (b + 1) * SM_BLOCK_PAIRS && p < pairs; p++) {
                    if (bf && backoff > 0) {
                        backoff--;
                    } else if (bf) {
                        if (!topk_pair_filtered(qn, qb, q, dim, k, packed + p * SM_PAIR * (int64_t)dim,
                                                bf + p * 2 * bf16_panel_words(dim), p * SM_PAIR, n, s, best, idx,
                                                filled)) {
                            continue;
                        }
                        backoff = SM_BF16_BACKOFF;
                    }
                    pair_scores(qn, q, dim, packed + p * SM_PAIR * (int64_t)dim, s);
                    int64_t base = p * SM_PAIR;
                    int rows = n - base < SM_PAIR ? (int)(n - base) : SM_PAIR;
                    for (int i = 0; i < q; i++) {
                        const float *row = s + (int64_t)i * SM_PAIR;
                        float *bi = best + (size_t)i * k;
                        int32_t *ii = idx + (size_t)i * k;
                        float worst = filled[i] == k ? bi[k - 1] : -INFINITY;
                        for (int r = 0; r < rows; r++) {
                            if (row[r] > worst || filled[i] < k) {
                                topk_insert(bi, ii, &filled[i], k, row[r], (int32_t)(base + r));
                                worst = filled[i] == k ? bi[k - 1] : -INFINITY;
                            }
                        }
                    }
                }
            }
            free(s);
        }
        if (!failed) {
            for (int i = 0; i < q; i++) {
                float *ob = scores + (size_t)i * k;
                int32_t *oi = indices + (size_t)i * k;
                int filled = 0;
                for (int t = 0; t < threads; t++) {
                    const float *bi = all_best + ((size_t)t * q + i) * k;
                    const int32_t *ii = all_idx + ((size_t)t * q + i) * k;
                    for (int r = 0; r < all_filled[(size_t)t * q + i]; r++) topk_merge(ob, oi, &filled, k, bi[r], ii[r]);
                }
            }
        }
    }
    free(all_best);
    free(all_idx);
    free(all_filled);
    free(qb);
    free(qn);
    return failed ? SM_ENOMEM : 0;
}
