package io.screenmesh.nativ.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * FFM bindings to the part of cuBLAS that similarity search needs (handle, stream, single-precision
 * GEMM), bound by symbol so one build runs against CUDA 12 ({@code libcublas.so.12}) and CUDA 13
 * ({@code libcublas.so.13}).
 *
 * <p>Matrices are raw CUDA device addresses in cuBLAS's column-major convention. cuBLAS runs on the
 * calling thread's current context, so the caller binds the context (the primary context, which the
 * runtime API shares) first. Instances are immutable and thread-safe; a {@link Handle} is not.
 */
public final class CuBlas {

    /** Candidate sonames, newest first: CUDA 13, CUDA 12, CUDA 11, then an unversioned development link. */
    public static final List<String> SONAMES =
            List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so");

    /** {@code CUBLAS_OP_N}: use the matrix as stored. */
    public static final int OP_N = 0;
    /** {@code CUBLAS_OP_T}: use the transpose of the stored matrix. */
    public static final int OP_T = 1;

    /**
     * {@code CUBLAS_DEFAULT_MATH}: full FP32 SGEMM. Set explicitly because TF32 tensor-op math
     * ({@code CUBLAS_TF32_TENSOR_OP_MATH}) would cost the 1e-5 agreement with the CPU oracle.
     * (Pedantic math would also be exact but may pick slower kernels.)
     */
    private static final int DEFAULT_MATH = 0;

    private final CudaLibrary library;
    private final MethodHandle create;
    private final MethodHandle destroy;
    private final MethodHandle setStream;
    private final MethodHandle setMathMode;
    private final MethodHandle sgemm;
    private final MethodHandle getVersion;

    private CuBlas(CudaLibrary library) {
        this.library = library;
        create = library.function("cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        destroy = library.function("cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        setStream = library.function("cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        setMathMode = library.function("cublasSetMathMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        sgemm = library.function("cublasSgemm_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS,
                JAVA_INT));
        getVersion = library.function("cublasGetVersion_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    /**
     * Finds and binds cuBLAS (search order in {@link CudaLibrary}).
     *
     * @return the bindings
     * @throws CudaLibraryException when no cuBLAS library loads (the message lists the paths tried) or
     *     a symbol is missing
     */
    public static CuBlas load() {
        return new CuBlas(CudaLibrary.load("cuBLAS", SONAMES));
    }

    /** Returns the library that was loaded. */
    public CudaLibrary library() {
        return library;
    }

    /**
     * Creates a cuBLAS handle on the current context, in full-FP32 math mode.
     *
     * @throws CudaLibraryException when cuBLAS cannot initialize (no device, no context)
     */
    public Handle create() {
        MemorySegment handle;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check("cublasCreate_v2", () -> (int) create.invokeExact(out));
            handle = out.get(ADDRESS, 0);
        }
        Handle result = new Handle(handle);
        try {
            check("cublasSetMathMode", () -> (int) setMathMode.invokeExact(handle, DEFAULT_MATH));
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
        return result;
    }

    static String statusName(int status) {
        return switch (status) {
            case 0 -> "CUBLAS_STATUS_SUCCESS";
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "CUBLAS_STATUS_" + status;
        };
    }

    private static void check(String function, NativeCall.IntCall call) {
        NativeCall.check(function, CuBlas::statusName, call);
    }

    /**
     * A cuBLAS handle. Not thread-safe; must be used and closed on a thread where the context it was
     * created in is current, and must not outlive that context. {@link #close()} is idempotent; use
     * after close throws {@link IllegalStateException}.
     */
    public final class Handle implements AutoCloseable {
        private final MemorySegment handle;
        private boolean closed;

        private Handle(MemorySegment handle) {
            this.handle = handle;
        }

        /**
         * Returns cuBLAS's version number (e.g. 12xxx or 13xxx).
         *
         * @throws CudaLibraryException when the call fails
         */
        public int version() {
            ensureOpen();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(JAVA_INT);
                check("cublasGetVersion_v2", () -> (int) getVersion.invokeExact(handle, out));
                return out.get(JAVA_INT, 0);
            }
        }

        /**
         * Enqueues this handle's work on {@code stream} (a raw {@code CUstream}; 0 is the default stream).
         *
         * @throws CudaLibraryException when cuBLAS refuses
         */
        public void setStream(long stream) {
            ensureOpen();
            check("cublasSetStream_v2", () -> (int) setStream.invokeExact(handle, MemorySegment.ofAddress(stream)));
        }

        /**
         * Enqueues {@code C = alpha * op(A) * op(B) + beta * C} in column-major FP32, where op(A) is
         * {@code m x k}, op(B) is {@code k x n} and C is {@code m x n}.
         *
         * @param transA {@link #OP_N} or {@link #OP_T}
         * @param transB {@link #OP_N} or {@link #OP_T}
         * @param a device address of A, leading dimension {@code lda}
         * @param b device address of B, leading dimension {@code ldb}
         * @param c device address of C, leading dimension {@code ldc}
         * @throws IllegalArgumentException when a dimension is negative or an op is unknown
         * @throws CudaLibraryException when cuBLAS refuses (e.g. CUBLAS_STATUS_INVALID_VALUE)
         */
        public void sgemm(int transA, int transB, int m, int n, int k, float alpha, long a, int lda,
                long b, int ldb, float beta, long c, int ldc) {
            ensureOpen();
            if (m < 0 || n < 0 || k < 0) {
                throw new IllegalArgumentException("negative GEMM dimension: m=" + m + ", n=" + n + ", k=" + k);
            }
            if ((transA != OP_N && transA != OP_T) || (transB != OP_N && transB != OP_T)) {
                throw new IllegalArgumentException("unknown GEMM op: " + transA + ", " + transB);
            }
            // Host pointer mode (the default): cuBLAS reads alpha and beta before the call returns.
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment alphaHost = arena.allocateFrom(JAVA_FLOAT, alpha);
                MemorySegment betaHost = arena.allocateFrom(JAVA_FLOAT, beta);
                check("cublasSgemm_v2", () -> (int) sgemm.invokeExact(handle, transA, transB, m, n, k,
                        alphaHost, MemorySegment.ofAddress(a), lda, MemorySegment.ofAddress(b), ldb, betaHost,
                        MemorySegment.ofAddress(c), ldc));
            }
        }

        private void ensureOpen() {
            if (closed) {
                throw new IllegalStateException("cuBLAS handle is closed");
            }
        }

        /**
         * Destroys the handle.
         *
         * @throws CudaLibraryException when cuBLAS reports a failure (the handle counts as closed anyway)
         */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            check("cublasDestroy_v2", () -> (int) destroy.invokeExact(handle));
        }
    }
}
