/*
 * What every screenmesh kernel shares: the arithmetic header that the CPU library compiles too
 * (native/src/main/c/include), and the grid-stride loop. Launch geometry is chosen by the host
 * from the device (occupancy API), so every kernel walks its index space with a grid-stride loop
 * and bounds-checks it: any grid size is correct, the host picks the one that fills the device.
 */
#ifndef SCREENMESH_CUDA_CUH
#define SCREENMESH_CUDA_CUH

#include <stdint.h>
#include "screenmesh_math.h"

/* for (i = global thread index; i < n; i += total threads): 64-bit, so 2^31+ elements work. */
#define SM_GRID_STRIDE(i, n)                                                          \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); \
         i += (long long)blockDim.x * gridDim.x)

/* Block size ceiling of the kernels that reduce in shared memory (a power of two). */
#define SM_MAX_BLOCK 256

#endif /* SCREENMESH_CUDA_CUH */
