package io.screenmesh.kernels.nat;

import io.screenmesh.kernels.AccelerationProvider;
import io.screenmesh.kernels.Backend;
import io.screenmesh.kernels.BackendUnavailableException;
import io.screenmesh.kernels.GateConfig;
import io.screenmesh.kernels.Nhwc;
import io.screenmesh.kernels.ResidentReferences;
import io.screenmesh.nativ.ScreenmeshLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The CPU backend: {@code libscreenmesh.so} (C, AVX2/AVX-512, OpenMP, FFTW) through FFM.
 * Heap arrays are passed to C without copying.
 *
 * <p>Refuses when the library cannot load (not built because gcc or FFTW's headers were
 * missing, or {@code libfftw3f.so.3} is absent at run time) or the CPU lacks AVX2 and FMA.
 * System properties: {@code screenmesh.native.screenmesh.path} (a file or directory holding
 * {@code libscreenmesh.so}, tried before the bundled copy). Threads: at most {@code OMP_NUM_THREADS}
 * (default: all cores), fewer while other threads keep the cores busy
 * ({@code SCREENMESH_ADAPTIVE_THREADS=0} turns that off; see native/README.md).
 */
public final class NativeAccelerationProvider implements AccelerationProvider {
    private final ScreenmeshLibrary lib;
    private final String description;

    /**
     * Loads and probes the library.
     *
     * @throws BackendUnavailableException when the library cannot load or the CPU cannot run it
     */
    public NativeAccelerationProvider() {
        try {
            lib = ScreenmeshLibrary.load();
        } catch (UnsatisfiedLinkError e) {
            throw new BackendUnavailableException("libscreenmesh cannot be loaded (" + e.getMessage()
                    + "); install gcc, make and libfftw3-dev and rebuild the native module, or point "
                    + "-Dscreenmesh.native.screenmesh.path at a built libscreenmesh.so", e);
        }
        int probe = lib.probe();
        if ((probe & 1) == 0) {
            throw new BackendUnavailableException("this CPU lacks AVX2/FMA/BMI2 (x86-64-v3), which libscreenmesh is built for; use screenmesh.backend=java");
        }
        description = "native (" + lib.version() + ", " + ((probe & 2) != 0 ? "AVX-512" : "AVX2") + ", "
                + lib.threads() + " threads)";
    }

    @Override
    public Backend backend() {
        return Backend.NATIVE;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void bitDepthF32(MemorySegment in, MemorySegment out, long count, int bits, float clipMin, float clipMax) {
        lib.bitDepthF32(in, out, count, bits, clipMin, clipMax);
    }

    @Override
    public void bitDepthU8(MemorySegment in, MemorySegment out, long count, int bits) {
        lib.bitDepthU8(in, out, count, bits);
    }

    @Override
    public void medianF32(MemorySegment in, MemorySegment out, Nhwc s, int window) {
        lib.medianF32(in, out, s.n(), s.height(), s.width(), s.channels(), window);
    }

    @Override
    public void medianU8(MemorySegment in, MemorySegment out, Nhwc s, int window) {
        lib.medianU8(in, out, s.n(), s.height(), s.width(), s.channels(), window);
    }

    @Override
    public void spectralGate(MemorySegment in, MemorySegment out, int clips, int length, GateConfig c) {
        lib.spectralGate(in, out, clips, length, c.nFft(), c.hop(), c.nStd(), c.propDecrease(), c.freqSmoothBins(),
                c.timeSmoothFrames(), c.topDb(), c.softnessDb());
    }

    @Override
    public void meanPowerSpectrum(MemorySegment in, MemorySegment out, int clips, int length, int nFft, int hop) {
        lib.powerSpectrum(in, out, clips, length, nFft, hop);
    }

    @Override
    public void firFilter(MemorySegment in, MemorySegment out, int clips, int length, float[] taps) {
        lib.fir(in, out, clips, length, MemorySegment.ofArray(taps), taps.length);
    }

    @Override
    public void normalize(MemorySegment in, MemorySegment out, int rows, int dim) {
        lib.normalize(in, out, rows, dim);
    }

    /** Normalized references packed in panels in a shared arena that {@link #close()} frees. */
    private static final class NativeReferences implements ResidentReferences {
        private final NativeAccelerationProvider owner;
        private final Arena arena;
        private final MemorySegment packed;
        private final int count;
        private final int dim;
        private final AtomicBoolean closed = new AtomicBoolean();

        NativeReferences(NativeAccelerationProvider owner, Arena arena, MemorySegment packed, int count, int dim) {
            this.owner = owner;
            this.arena = arena;
            this.packed = packed;
            this.count = count;
            this.dim = dim;
        }

        @Override
        public AccelerationProvider owner() {
            return owner;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public int dimension() {
            return dim;
        }

        MemorySegment packed() {
            if (closed.get()) {
                throw new IllegalStateException("reference set is closed");
            }
            return packed;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                arena.close();
            }
        }
    }

    @Override
    public ResidentReferences upload(MemorySegment references, int count, int dim) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment packed = arena.allocate(lib.packedSize(count, dim) * Float.BYTES, 64);
            lib.packRefs(references, count, dim, packed);
            return new NativeReferences(this, arena, packed, count, dim);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private NativeReferences own(ResidentReferences refs) {
        if (!(refs instanceof NativeReferences r) || r.owner != this) {
            throw new IllegalArgumentException("reference set belongs to another provider: " + refs.owner().description());
        }
        return r;
    }

    @Override
    public void cosine(ResidentReferences references, MemorySegment queries, int queryCount, MemorySegment scores) {
        NativeReferences r = own(references);
        lib.cosine(r.packed(), r.count(), r.dimension(), queries, queryCount, scores);
    }

    @Override
    public void topK(ResidentReferences references, MemorySegment queries, int queryCount, int k, int[] indices,
                     float[] scores) {
        NativeReferences r = own(references);
        lib.topK(r.packed(), r.count(), r.dimension(), queries, queryCount, k, MemorySegment.ofArray(indices),
                MemorySegment.ofArray(scores));
    }
}
