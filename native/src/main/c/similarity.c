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
 */
#include "screenmesh.h"
#include "team.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

#define SM_PAIR (2 * SM_PANEL)
#define SM_BLOCK_PAIRS 8 /* 256 rows per work item */

typedef float v16 __attribute__((vector_size(64), aligned(4)));
typedef float v8 __attribute__((vector_size(32), aligned(4)));

int64_t screenmesh_packed_size(int64_t n, int dim) {
    return (n + SM_PAIR - 1) / SM_PAIR * SM_PAIR * (int64_t)dim;
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
    int64_t total_rows = screenmesh_packed_size(n, dim) / dim;
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
        }
        free(row);
    }
}

/* 8 queries x 2 panels (32 rows) with 16 zmm accumulators. */
#define QT512 8
__attribute__((target("arch=x86-64-v4"))) static void kernel512(const float *const *q, const float *pair, int dim,
                                                                float *tile /* QT512 x 32 */) {
    v16 acc[QT512][2];
    for (int i = 0; i < QT512; i++) acc[i][0] = acc[i][1] = (v16){0};
    const float *p0 = pair, *p1 = pair + (int64_t)dim * SM_PANEL;
    for (int d = 0; d < dim; d++) {
        v16 a = *(const v16 *)(p0 + (int64_t)d * SM_PANEL);
        v16 b = *(const v16 *)(p1 + (int64_t)d * SM_PANEL);
        for (int i = 0; i < QT512; i++) {
            float s = q[i][d];
            acc[i][0] += s * a;
            acc[i][1] += s * b;
        }
    }
    for (int i = 0; i < QT512; i++) {
        *(v16 *)(tile + i * SM_PAIR) = acc[i][0];
        *(v16 *)(tile + i * SM_PAIR + SM_PANEL) = acc[i][1];
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

/*
 * Scores of all queries against one pair of panels (rows base .. base+31) into
 * scores[qi * SM_PAIR + r]. Query tails reuse the last query so the kernels stay fixed-size.
 */
static void pair_scores(const float *qn, int nq, int dim, const float *pair, float *scores) {
    float tile[QT512 * SM_PAIR] __attribute__((aligned(64)));
    if (use_avx512()) {
        for (int q0 = 0; q0 < nq; q0 += QT512) {
            const float *qs[QT512];
            for (int i = 0; i < QT512; i++) qs[i] = qn + (int64_t)(q0 + i < nq ? q0 + i : nq - 1) * dim;
            kernel512(qs, pair, dim, tile);
            int rows = nq - q0 < QT512 ? nq - q0 : QT512;
            memcpy(scores + (int64_t)q0 * SM_PAIR, tile, sizeof(float) * SM_PAIR * rows);
        }
    } else {
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

int screenmesh_topk(const float *packed, int64_t n, int dim, const float *queries, int q, int k, int32_t *indices,
                    float *scores) {
    float *qn = normalized_queries(queries, q, dim);
    if (!qn) return SM_ENOMEM;
    int64_t pairs = (n + SM_PAIR - 1) / SM_PAIR;
    int64_t blocks = (pairs + SM_BLOCK_PAIRS - 1) / SM_BLOCK_PAIRS;
    int threads = sm_team();
    if (threads > blocks) threads = (int)blocks;
    float *all_best = malloc(sizeof(float) * (size_t)threads * q * k);
    int32_t *all_idx = malloc(sizeof(int32_t) * (size_t)threads * q * k);
    int *all_filled = calloc((size_t)threads * q, sizeof(int));
    int failed = !all_best || !all_idx || !all_filled;
    if (!failed) {
#pragma omp parallel num_threads(threads)
        {
            int t = omp_get_thread_num();
            float *best = all_best + (size_t)t * q * k;
            int32_t *idx = all_idx + (size_t)t * q * k;
            int *filled = all_filled + (size_t)t * q;
            float *s = malloc(sizeof(float) * (size_t)q * SM_PAIR);
            if (!s) {
#pragma omp atomic write
                failed = 1;
            }
            /* Static, contiguous ranges: each thread sees its rows in increasing order. */
#pragma omp for schedule(static)
            for (int64_t b = 0; b < blocks; b++) {
                if (!s) continue;
                for (int64_t p = b * SM_BLOCK_PAIRS; p < (b + 1) * SM_BLOCK_PAIRS && p < pairs; p++) {
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
    free(qn);
    return failed ? SM_ENOMEM : 0;
}
