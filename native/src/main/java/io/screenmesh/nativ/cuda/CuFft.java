package io.screenmesh.nativ.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * FFM bindings to cuFFT's batched one-dimensional real transforms (R2C and C2R), bound by symbol so
 * one build runs against CUDA 12 ({@code libcufft.so.11}) and CUDA 13 ({@code libcufft.so.12}).
 *
 * <p>Data pointers are raw CUDA device addresses ({@code CUdeviceptr} values); streams are raw
 * {@code CUstream}/{@code cudaStream_t} handles. cuFFT runs on the calling thread's current context,
 * so the caller binds the context (the primary context, which the runtime API shares) first.
 * Instances are immutable and thread-safe; a {@link Plan} is not.
 */
public final class CuFft {

    /** Candidate sonames, newest first: CUDA 13, CUDA 12, then an unversioned development link. */
    public static final List<String> SONAMES = List.of("libcufft.so.12", "libcufft.so.11", "libcufft.so");

    private static final int CUFFT_R2C = 0x2a;
    private static final int CUFFT_C2R = 0x2c;

    private static final List<String> STATUS_NAMES = List.of(
            "CUFFT_SUCCESS", "CUFFT_INVALID_PLAN", "CUFFT_ALLOC_FAILED", "CUFFT_INVALID_TYPE",
            "CUFFT_INVALID_VALUE", "CUFFT_INTERNAL_ERROR", "CUFFT_EXEC_FAILED", "CUFFT_SETUP_FAILED",
            "CUFFT_INVALID_SIZE", "CUFFT_UNALIGNED_DATA", "CUFFT_INCOMPLETE_PARAMETER_LIST",
            "CUFFT_INVALID_DEVICE", "CUFFT_PARSE_ERROR", "CUFFT_NO_WORKSPACE", "CUFFT_NOT_IMPLEMENTED",
            "CUFFT_LICENSE_ERROR", "CUFFT_NOT_SUPPORTED");

    private final CudaLibrary library;
    private final MethodHandle planMany;
    private final MethodHandle execR2C;
    private final MethodHandle execC2R;
    private final MethodHandle setStream;
    private final MethodHandle destroy;
    private final MethodHandle getVersion;

    private CuFft(CudaLibrary library) {
        this.library = library;
        planMany = library.function("cufftPlanMany", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT));
        execR2C = library.function("cufftExecR2C", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        execC2R = library.function("cufftExecC2R", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        setStream = library.function("cufftSetStream", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        destroy = library.function("cufftDestroy", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        getVersion = library.function("cufftGetVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /**
     * Finds and binds cuFFT (search order in {@link CudaLibrary}).
     *
     * @return the bindings
     * @throws CudaLibraryException when no cuFFT library loads (the message lists the paths tried) or
     *     a symbol is missing
     */
    public static CuFft load() {
        return new CuFft(CudaLibrary.load("cuFFT", SONAMES));
    }

    /** Returns the library that was loaded. */
    public CudaLibrary library() {
        return library;
    }

    /**
     * Returns cuFFT's version number (e.g. 11xxx for CUDA 12, 12xxx for CUDA 13).
     *
     * @throws CudaLibraryException when the call fails
     */
    public int version() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check("cufftGetVersion", () -> (int) getVersion.invokeExact(out));
            return out.get(JAVA_INT, 0);
        }
    }

    /**
     * Creates a plan for {@code batch} real-to-complex transforms of length {@code n}, packed
     * contiguously: input {@code n} floats per transform, output {@code n/2+1} complex values.
     *
     * @throws IllegalArgumentException when {@code n < 2} or {@code batch < 1}
     * @throws CudaLibraryException when cuFFT refuses (e.g. CUFFT_ALLOC_FAILED)
     */
    public Plan planR2C(int n, int batch) {
        return plan(n, batch, CUFFT_R2C);
    }

    /**
     * Creates a plan for {@code batch} complex-to-real transforms of length {@code n} (unnormalized:
     * the output is {@code n} times the inverse DFT). cuFFT overwrites the input of C2R.
     *
     * @throws IllegalArgumentException when {@code n < 2} or {@code batch < 1}
     * @throws CudaLibraryException when cuFFT refuses
     */
    public Plan planC2R(int n, int batch) {
        return plan(n, batch, CUFFT_C2R);
    }

    private Plan plan(int n, int batch, int type) {
        if (n < 2 || batch < 1) {
            throw new IllegalArgumentException("FFT length must be >= 2 and batch >= 1: n=" + n + ", batch=" + batch);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(JAVA_INT);
            MemorySegment dims = arena.allocateFrom(JAVA_INT, n);
            // NULL embeds select the basic contiguous layout; strides and distances are then ignored.
            check("cufftPlanMany", () -> (int) planMany.invokeExact(handle, 1, dims, MemorySegment.NULL, 1, n,
                    MemorySegment.NULL, 1, n / 2 + 1, type, batch));
            return new Plan(handle.get(JAVA_INT, 0), n, batch, type);
        }
    }

    static String statusName(int status) {
        return status >= 0 && status < STATUS_NAMES.size() ? STATUS_NAMES.get(status) : "CUFFT_STATUS_" + status;
    }

    private static void check(String function, NativeCall.IntCall call) {
        NativeCall.check(function, CuFft::statusName, call);
    }

    /**
     * A cuFFT plan: batched 1-D transforms of one length and type. Not thread-safe; must be used and
     * closed on a thread where its context is current. {@link #close()} is idempotent; use after
     * close throws {@link IllegalStateException}.
     */
    public final class Plan implements AutoCloseable {
        private final int handle;
        private final int n;
        private final int batch;
        private final int type;
        private boolean closed;

        private Plan(int handle, int n, int batch, int type) {
            this.handle = handle;
            this.n = n;
            this.batch = batch;
            this.type = type;
        }

        /** Returns the transform length. */
        public int length() {
            return n;
        }

        /** Returns the number of transforms per execution. */
        public int batch() {
            return batch;
        }

        /**
         * Runs this plan's transforms on {@code stream} (a raw {@code CUstream}; 0 is the legacy
         * default stream).
         *
         * @throws CudaLibraryException when cuFFT refuses
         */
        public void setStream(long stream) {
            ensureOpen();
            check("cufftSetStream", () -> (int) setStream.invokeExact(handle, MemorySegment.ofAddress(stream)));
        }

        /**
         * Enqueues the real-to-complex transforms.
         *
         * @param input device address of {@code batch*n} floats
         * @param output device address of {@code batch*(n/2+1)} complex floats (interleaved)
         * @throws IllegalStateException when this is not an R2C plan, or it is closed
         * @throws CudaLibraryException when cuFFT refuses
         */
        public void execR2C(long input, long output) {
            exec(CUFFT_R2C, execR2C, "cufftExecR2C", input, output);
        }

        /**
         * Enqueues the complex-to-real transforms (unnormalized; overwrites {@code input}).
         *
         * @param input device address of {@code batch*(n/2+1)} complex floats
         * @param output device address of {@code batch*n} floats
         * @throws IllegalStateException when this is not a C2R plan, or it is closed
         * @throws CudaLibraryException when cuFFT refuses
         */
        public void execC2R(long input, long output) {
            exec(CUFFT_C2R, execC2R, "cufftExecC2R", input, output);
        }

        private void exec(int expected, MethodHandle function, String name, long input, long output) {
            ensureOpen();
            if (type != expected) {
                throw new IllegalStateException(name + " on a plan of another type");
            }
            check(name, () -> (int) function.invokeExact(handle, MemorySegment.ofAddress(input),
                    MemorySegment.ofAddress(output)));
        }

        private void ensureOpen() {
            if (closed) {
                throw new IllegalStateException("cuFFT plan is closed");
            }
        }

        /**
         * Destroys the plan and frees its work area.
         *
         * @throws CudaLibraryException when cuFFT reports a failure (the plan counts as closed anyway)
         */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            check("cufftDestroy", () -> (int) destroy.invokeExact(handle));
        }
    }
}
