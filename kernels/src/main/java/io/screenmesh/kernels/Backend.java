package io.screenmesh.kernels;

import java.util.Locale;

/**
 * The compute backends of the hot paths, fastest first; {@code auto} tries them in this order.
 *
 * <p>Each backend is implemented by one {@link AccelerationProvider} class that is loaded by name,
 * so choosing {@code java} never links JCuda or native code.
 */
public enum Backend {
    /** Our CUDA kernels through JCuda, cuFFT and cuBLAS through FFM. */
    CUDA("io.screenmesh.kernels.cuda.CudaAccelerationProvider"),
    /** Our C library (SIMD, OpenMP, FFTW) through FFM. */
    NATIVE("io.screenmesh.kernels.nat.NativeAccelerationProvider"),
    /** Plain Java: the portable fallback and the test oracle. */
    JAVA("io.screenmesh.kernels.java.JavaAccelerationProvider");

    private final String providerClassName;

    Backend(String providerClassName) {
        this.providerClassName = providerClassName;
    }

    /** The lower-case name used in configuration and reported in responses ({@code "native"}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The fully qualified name of the provider class that implements this backend. */
    public String providerClassName() {
        return providerClassName;
    }

    /**
     * Parses a backend name as written in configuration.
     *
     * @throws IllegalArgumentException when the name is none of {@code cuda}, {@code native}, {@code java}
     */
    public static Backend fromId(String id) {
        for (Backend b : values()) {
            if (b.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown backend '" + id + "': expected one of cuda, native, java");
    }
}
