/**
 * FFM bindings to the CUDA toolkit libraries that screenmesh calls by symbol (cuFFT, cuBLAS), found
 * by name at run time ({@link io.screenmesh.nativ.cuda.CudaLibrary}) so CUDA 12 and 13 both work.
 * Device memory and streams come from the caller as raw addresses; nothing here links the CUDA
 * driver or JCuda.
 */
package io.screenmesh.nativ.cuda;
