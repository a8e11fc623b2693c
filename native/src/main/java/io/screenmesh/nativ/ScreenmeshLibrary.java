package io.screenmesh.nativ;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Hand-written FFM bindings to {@code libscreenmesh.so} (native/src/main/c/screenmesh.h), the CPU
 * hot paths. Segments may be heap segments ({@code MemorySegment.ofArray}): every handle that
 * takes memory is linked with {@link Linker.Option#critical(boolean) critical(true)}, so heap
 * arrays are passed without copying (the garbage collector waits while such a call runs).
 *
 * <p>Create with {@link #load()}; instances are immutable and thread-safe. Arguments are not
 * checked here (the kernels facades do that); wrong sizes corrupt memory.
 */
public final class ScreenmeshLibrary {
    /** Rows per packed reference panel ({@code SM_PANEL}). */
    public static final int PANEL = 16;
    private static final int ENOMEM = -12;

    private final MethodHandle probe;
    private final MethodHandle threads;
    private final MethodHandle version;
    private final MethodHandle bitdepthF32;
    private final MethodHandle bitdepthU8;
    private final MethodHandle medianF32;
    private final MethodHandle medianU8;
    private final MethodHandle spectralGate;
    private final MethodHandle powerSpectrum;
    private final MethodHandle fir;
    private final MethodHandle normalize;
    private final MethodHandle packedSize;
    private final MethodHandle packRefs;
    private final MethodHandle cosine;
    private final MethodHandle topk;

    private ScreenmeshLibrary(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        Binder b = new Binder(linker, lib);
        probe = b.plain("screenmesh_probe", FunctionDescriptor.of(JAVA_INT));
        threads = b.plain("screenmesh_threads", FunctionDescriptor.of(JAVA_INT));
        version = b.plain("screenmesh_version", FunctionDescriptor.of(ADDRESS));
        bitdepthF32 = b.critical("screenmesh_bitdepth_f32",
                FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT));
        bitdepthU8 = b.critical("screenmesh_bitdepth_u8", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
        FunctionDescriptor median = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        medianF32 = b.critical("screenmesh_median_f32", median);
        medianU8 = b.critical("screenmesh_median_u8", median);
        spectralGate = b.critical("screenmesh_spectral_gate", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_INT, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT));
        powerSpectrum = b.critical("screenmesh_power_spectrum",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        fir = b.critical("screenmesh_fir",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        normalize = b.critical("screenmesh_normalize", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
        packedSize = b.plain("screenmesh_packed_size", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT));
        packRefs = b.critical("screenmesh_pack_refs", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS));
        cosine = b.critical("screenmesh_cosine",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        topk = b.critical("screenmesh_topk",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private record Binder(Linker linker, SymbolLookup lib) {
        MethodHandle plain(String name, FunctionDescriptor fd) {
            return linker.downcallHandle(symbol(name), fd);
        }

        MethodHandle critical(String name, FunctionDescriptor fd) {
            return linker.downcallHandle(symbol(name), fd, Linker.Option.critical(true));
        }

        private MemorySegment symbol(String name) {
            return lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError(
                    "libscreenmesh has no symbol " + name + " (a stale build? rebuild the native module)"));
        }
    }

    /**
     * Loads the library through {@link NativeLoader} (property {@code screenmesh.native.screenmesh.path},
     * bundled resource, system library) and binds every function.
     *
     * @throws UnsatisfiedLinkError when the library or one of its symbols cannot be found
     */
    public static ScreenmeshLibrary load() {
        return new ScreenmeshLibrary(NativeLoader.load("screenmesh"));
    }

    /** Bit 0: this CPU runs the build (AVX2+FMA); bit 1: AVX-512 kernels in use. Safe on any x86-64. */
    public int probe() {
        try {
            return (int) probe.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Threads the library's parallel regions use. */
    public int threads() {
        try {
            return (int) threads.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The library and FFTW versions. */
    public String version() {
        try {
            MemorySegment s = (MemorySegment) version.invokeExact();
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code screenmesh_bitdepth_f32}. */
    public void bitDepthF32(MemorySegment in, MemorySegment out, long count, int bits, float lo, float hi) {
        try {
            bitdepthF32.invokeExact(in, out, count, bits, lo, hi);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code screenmesh_bitdepth_u8}. */
    public void bitDepthU8(MemorySegment in, MemorySegment out, long count, int bits) {
        try {
            bitdepthU8.invokeExact(in, out, count, bits);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code screenmesh_median_f32}. */
    public void medianF32(MemorySegment in, MemorySegment out, int n, int h, int w, int c, int window) {
        try {
            check((int) medianF32.invokeExact(in, out, n, h, w, c, window));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code screenmesh_median_u8}. */
    public void medianU8(MemorySegment in, MemorySegment out, int n, int h, int w, int c, int window) {
        try {
            check((int) medianU8.invokeExact(in, out, n, h, w, c, window));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code screenmesh_spectral_gate}. */
    public void spectralGate(MemorySegment in, MemorySegment out, int clips, int length, int nFft, int hop, float nStd,
                             float propDecrease, int freqSmooth, int timeSmooth, float topDb, float softnessDb) {
        try {
            check((int) spectralGate.invokeExact(in, out, clips, length, nFft, hop, nStd, propDecrease, freqSmooth,
                    timeSmooth, topDb, softnessDb));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code screenmesh_power_spectrum}. */
    public void powerSpectrum(MemorySegment in, MemorySegment out, int clips, int length, int nFft, int hop) {
        try {
            check((int) powerSpectrum.invokeExact(in, out, clips, length, nFft, hop));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code screenmesh_fir}; {@code taps} holds {@code numTaps} floats. */
    public void fir(MemorySegment in, MemorySegment out, int clips, int length, MemorySegment taps, int numTaps) {
        try {
            check((int) fir.invokeExact(in, out, clips, length, taps, numTaps));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code screenmesh_normalize}. */
    public void normalize(MemorySegment in, MemorySegment out, long rows, int dim) {
        try {
            normalize.invokeExact(in, out, rows, dim);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Floats needed to pack {@code n} rows of {@code dim}. */
    public long packedSize(long n, int dim) {
        try {
            return (long) packedSize.invokeExact(n, dim);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Normalizes and packs {@code n} rows into {@code packed} ({@link #packedSize} floats, 64-byte aligned). */
    public void packRefs(MemorySegment refs, long n, int dim, MemorySegment packed) {
        try {
            packRefs.invokeExact(refs, n, dim, packed);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code screenmesh_cosine}: scores[q·n + j]. */
    public void cosine(MemorySegment packed, long n, int dim, MemorySegment queries, int q, MemorySegment scores) {
        try {
            check((int) cosine.invokeExact(packed, n, dim, queries, q, scores));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code screenmesh_topk}: indices and scores hold q·k elements. */
    public void topK(MemorySegment packed, long n, int dim, MemorySegment queries, int q, int k,
                     MemorySegment indices, MemorySegment scores) {
        try {
            check((int) topk.invokeExact(packed, n, dim, queries, q, k, indices, scores));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void check(int rc) {
        if (rc == ENOMEM) {
            throw new OutOfMemoryError("libscreenmesh could not allocate native scratch memory");
        }
        if (rc != 0) {
            throw new IllegalStateException("libscreenmesh returned error " + rc);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
