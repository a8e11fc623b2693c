/*
 * Similarity search around cuBLAS's GEMM: L2 row normalization, and top-k per query in two
 * stages (per-block partial top-k over a slice of the scores, then a merge of the partials).
 * Order: higher score first, ties broken by the lower index, as the java oracle orders them.
 */
#include "screenmesh_cuda.cuh"

/* Largest k the kernels keep per thread; the host falls back to a host-side selection above it. */
#define SM_TOPK_MAX 128

/* out[r] = in[r] / ||in[r]||, norm accumulated in double; a zero row stays zero. One block per row. */
extern "C" __global__ void __launch_bounds__(SM_MAX_BLOCK)
sm_l2_normalize_kernel(const float* in, float* out, int rows, int dim) {
    __shared__ double partial[SM_MAX_BLOCK];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* row = in + r * dim;
        double sq = 0.0;
        for (int d = threadIdx.x; d < dim; d += blockDim.x) {
            sq += (double)row[d] * row[d];
        }
        partial[threadIdx.x] = sq;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (threadIdx.x < s) partial[threadIdx.x] += partial[threadIdx.x + s];
            __syncthreads();
        }
        const double norm = sqrt(partial[0]);
        __syncthreads(); /* everyone has read partial[0] before the next row overwrites it */
        float* dst = out + r * dim;
        for (int d = threadIdx.x; d < dim; d += blockDim.x) {
            dst[d] = norm > 0.0 ? (float)((double)row[d] / norm) : 0.0f;
        }
    }
}

/* a before b: higher score, or equal score and lower index. */
__device__ __forceinline__ bool sm_better(float as, int ai, float bs, int bi) {
    return as > bs || (as == bs && ai < bi);
}

/* Inserts (s, i) into a thread's list sorted best first, of capacity k, holding *filled entries. */
__device__ __forceinline__ void sm_insert(float* ls, int* li, int* filled, int k, float s, int i) {
    if (*filled == k && !sm_better(s, i, ls[k - 1], li[k - 1])) return;
    int pos = *filled == k ? k - 1 : (*filled)++;
    while (pos > 0 && sm_better(s, i, ls[pos - 1], li[pos - 1])) {
        ls[pos] = ls[pos - 1];
        li[pos] = li[pos - 1];
        pos--;
    }
    ls[pos] = s;
    li[pos] = i;
}

/*
 * k rounds of a block-wide arg-best over the heads of the threads' sorted lists; the winning
 * thread advances its head. Writes k (score, index) pairs best first; missing ones are
 * (-inf, INT_MAX), which sort after every real candidate. blockDim.x must be a power of two.
 */
__device__ void sm_block_select(const float* ls, const int* li, int filled, int k, float* outS, int* outI) {
    __shared__ float bs[SM_MAX_BLOCK];
    __shared__ int bi[SM_MAX_BLOCK];
    __shared__ int bt[SM_MAX_BLOCK];
    int head = 0;
    for (int r = 0; r < k; r++) {
        bs[threadIdx.x] = head < filled ? ls[head] : -INFINITY;
        bi[threadIdx.x] = head < filled ? li[head] : INT_MAX;
        bt[threadIdx.x] = threadIdx.x;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (threadIdx.x < s) {
                const int o = threadIdx.x + s;
                if (sm_better(bs[o], bi[o], bs[threadIdx.x], bi[threadIdx.x])) {
                    bs[threadIdx.x] = bs[o];
                    bi[threadIdx.x] = bi[o];
                    bt[threadIdx.x] = bt[o];
                }
            }
            __syncthreads();
        }
        if (threadIdx.x == 0) {
            outS[r] = bs[0];
            outI[r] = bi[0];
        }
        if (threadIdx.x == bt[0] && head < filled) head++;
        __syncthreads();
    }
}

/*
 * Stage 1. Grid (parts, queries): block (p, q) selects the k best of scores[q][slice p], where
 * the N columns are cut into `parts` contiguous slices. Output partial[q][p][r].
 */
extern "C" __global__ void __launch_bounds__(SM_MAX_BLOCK)
sm_topk_partial_kernel(const float* __restrict__ scores, int n, int k, int parts, float* __restrict__ partS,
                       int* __restrict__ partI) {
    float ls[SM_TOPK_MAX];
    int li[SM_TOPK_MAX];
    int filled = 0;
    const long long q = blockIdx.y;
    const int p = blockIdx.x;
    if (p >= parts) return;
    const long long slice = ((long long)n + parts - 1) / parts;
    const long long begin = p * slice;
    const long long end = begin + slice < n ? begin + slice : n;
    const float* row = scores + q * n;
    for (long long j = begin + threadIdx.x; j < end; j += blockDim.x) {
        sm_insert(ls, li, &filled, k, row[j], (int)j);
    }
    const long long out = (q * parts + p) * k;
    sm_block_select(ls, li, filled, k, partS + out, partI + out);
}

/* Stage 2. Grid (1, queries): merges the parts*k candidates of each query into its k best. */
extern "C" __global__ void __launch_bounds__(SM_MAX_BLOCK)
sm_topk_merge_kernel(const float* __restrict__ partS, const int* __restrict__ partI, int candidates, int k,
                     float* __restrict__ outS, int* __restrict__ outI) {
    float ls[SM_TOPK_MAX];
    int li[SM_TOPK_MAX];
    int filled = 0;
    const long long q = blockIdx.y;
    for (int j = threadIdx.x; j < candidates; j += blockDim.x) {
        const long long at = q * candidates + j;
        sm_insert(ls, li, &filled, k, partS[at], partI[at]);
    }
    sm_block_select(ls, li, filled, k, outS + q * k, outI + q * k);
}
