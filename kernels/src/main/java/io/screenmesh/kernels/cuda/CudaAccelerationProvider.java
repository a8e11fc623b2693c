package io.screenmesh.kernels.cuda;

import io.screenmesh.kernels.AccelerationProvider;
import io.screenmesh.kernels.Backend;
import io.screenmesh.kernels.BackendUnavailableException;
import io.screenmesh.kernels.GateConfig;
import io.screenmesh.kernels.Nhwc;
import io.screenmesh.kernels.ResidentReferences;
import io.screenmesh.nativ.cuda.CuBlas;
import io.screenmesh.nativ.cuda.CudaLibraryException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jcuda.Pointer;

/**
 * The cuda backend: our kernels ({@code kernels/src/main/cuda}) through JCuda's driver API, cuFFT
 * and cuBLAS through FFM ({@code io.screenmesh.nativ.cuda}).
 *
 * <p>Refuses in its constructor, with the reason, when the kernel images are not in the build,
 * the NVIDIA driver or a device is missing, the device is older than compute capability 8.0, or
 * cuFFT/cuBLAS (CUDA 12 or 13) cannot be loaded. Host data is copied to the device per call, in
 * chunks of at most {@value #MAX_CHUNK_BYTES} bytes per buffer; the similarity reference matrix
 * stays on the device ({@link #upload}). All GPU work is serialized on the context's owner
 * thread ({@link CudaContext}), so the provider is thread-safe.
 *
 * <p>System properties: {@value CudaProbe#DEVICE_PROPERTY} (device ordinal, default 0),
 * {@value KernelImages#IMAGE_PROPERTY} ({@code auto|ptx|cubin}),
 * {@code screenmesh.cuda.libpath} (extra directories searched for cuFFT/cuBLAS).
 */
public final class CudaAccelerationProvider implements AccelerationProvider, AutoCloseable {
    /** Largest device buffer one operation stages host data through. */
    static final long MAX_CHUNK_BYTES = 256L << 20;

    /** Largest score block (queries × references) computed by one GEMM. */
    static final long MAX_SCORE_BYTES = 512L << 20;

    /** Largest k the top-k kernels select ({@code SM_TOPK_MAX}); larger k select on the host. */
    static final int TOPK_MAX = 128;

    /** Queries per GEMM at most: the top-k grid has one row per query (grid y ≤ 65535). */
    private static final int MAX_QUERIES_PER_LAUNCH = 65535;

    private final CudaContext ctx;
    private final String description;

    /**
     * Starts the backend on device {@value CudaProbe#DEVICE_PROPERTY} (default 0).
     *
     * @throws BackendUnavailableException when it cannot run here; the message says why
     */
    public CudaAccelerationProvider() {
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.available()) {
            throw new BackendUnavailableException("cuda: " + probe.reason());
        }
        try {
            ctx = CudaContext.open(probe);
        } catch (CudaException | CudaLibraryException | IllegalArgumentException | IllegalStateException
                 | LinkageError e) {
            throw new BackendUnavailableException("cuda: cannot start on " + probe.device() + ": " + e.getMessage(), e);
        }
        description = "cuda (" + probe.device() + ", " + (ctx.images().contains(".ptx") ? "PTX JIT" : "sm_90 cubin")
                + ", " + ctx.libraries() + ")";
    }

    @Override
    public Backend backend() {
        return Backend.CUDA;
    }

    @Override
    public String description() {
        return description;
    }

    /** Releases the device context and everything on it; idempotent. */
    @Override
    public void close() {
        ctx.close();
    }

    // ---- squeeze -------------------------------------------------------------------------------

    @Override
    public void bitDepthF32(MemorySegment in, MemorySegment out, long count, int bits, float clipMin, float clipMax) {
        float range = (float) ((double) clipMax - (double) clipMin);
        elementwise(in, out, count, Float.BYTES,
                (c, buf, n) -> c.launch("sm_bitdepth_f32_kernel", n, buf, buf, n, bits, clipMin, range));
    }

    @Override
    public void bitDepthU8(MemorySegment in, MemorySegment out, long count, int bits) {
        elementwise(in, out, count, 1, (c, buf, n) -> c.launch("sm_bitdepth_u8_kernel", n, buf, buf, n, bits));
    }

    /** An in-place kernel over {@code n} elements of a device buffer. */
    @FunctionalInterface
    private interface InPlace {
        void run(CudaContext c, DeviceBuffer buffer, long n);
    }

    private void elementwise(MemorySegment in, MemorySegment out, long count, int elementBytes, InPlace op) {
        long bytes = count * elementBytes;
        long chunk = MAX_CHUNK_BYTES / elementBytes * elementBytes;
        ctx.call(c -> {
            DeviceBuffer buffer = c.workspace("a", Math.min(bytes, chunk));
            for (long offset = 0; offset < bytes; offset += chunk) {
                long n = Math.min(chunk, bytes - offset);
                c.upload(in.asSlice(offset, n), buffer, 0, n);
                op.run(c, buffer, n / elementBytes);
                c.download(buffer, 0, out.asSlice(offset, n), n);
            }
            return null;
        });
    }

    @Override
    public void medianF32(MemorySegment in, MemorySegment out, Nhwc shape, int window) {
        median(in, out, shape, window, Float.BYTES, "sm_median_f32_kernel");
    }

    @Override
    public void medianU8(MemorySegment in, MemorySegment out, Nhwc shape, int window) {
        median(in, out, shape, window, 1, "sm_median_u8_kernel");
    }

    private void median(MemorySegment in, MemorySegment out, Nhwc s, int window, int elementBytes, String kernel) {
        long pixels = (long) s.height() * s.width() * s.channels();
        long imageBytes = pixels * elementBytes;
        int per = chunk(imageBytes, s.n());
        ctx.call(c -> {
            DeviceBuffer a = c.workspace("a", per * imageBytes);
            DeviceBuffer b = c.workspace("b", per * imageBytes);
            for (int first = 0; first < s.n(); first += per) {
                int n = Math.min(per, s.n() - first);
                long offset = first * imageBytes;
                long bytes = n * imageBytes;
                c.upload(in.asSlice(offset, bytes), a, 0, bytes);
                c.launch(kernel, n * pixels, a, b, n, s.height(), s.width(), s.channels(), window);
                c.download(b, 0, out.asSlice(offset, bytes), bytes);
            }
            return null;
        });
    }

    // ---- spectral ------------------------------------------------------------------------------

    /** Device buffers of one chunk of clips through the STFT. */
    private record Stft(DeviceBuffer signal, DeviceBuffer frames, DeviceBuffer spectrum, int clips, int frameCount) {
    }

    /** Uploads clips {@code first..first+n} and runs framing + R2C; the spectrum is [clip][frame][bin]. */
    private static Stft stft(CudaContext c, MemorySegment in, int first, int n, int per, int length, int nFft,
                             int hop) {
        int frameCount = GateConfig.frameCount(length, hop);
        int bins = nFft / 2 + 1;
        DeviceBuffer signal = c.workspace("signal", (long) per * length * Float.BYTES);
        DeviceBuffer frames = c.workspace("frames", (long) per * frameCount * nFft * Float.BYTES);
        DeviceBuffer spectrum = c.workspace("spectrum", (long) per * frameCount * bins * 2 * Float.BYTES);
        long bytes = (long) n * length * Float.BYTES;
        c.upload(in.asSlice((long) first * length * Float.BYTES, bytes), signal, 0, bytes);
        c.launch("sm_frame_kernel", (long) n * frameCount * nFft, signal, frames, n, length, nFft, hop, frameCount);
        c.plan(true, nFft, n * frameCount).execR2C(frames.address(), spectrum.address());
        return new Stft(signal, frames, spectrum, n, frameCount);
    }

    private static long stftBytesPerClip(int length, int nFft, int hop) {
        long frames = GateConfig.frameCount(length, hop);
        long bins = nFft / 2 + 1;
        // signal + frames + complex spectrum + dB, mask and smoothing scratch + output
        return 2L * length * Float.BYTES + frames * nFft * Float.BYTES + frames * bins * 5 * Float.BYTES;
    }

    @Override
    public void spectralGate(MemorySegment in, MemorySegment out, int clips, int length, GateConfig g) {
        int nFft = g.nFft();
        int bins = nFft / 2 + 1;
        int per = chunk(stftBytesPerClip(length, nFft, g.hop()), clips);
        ctx.call(c -> {
            for (int first = 0; first < clips; first += per) {
                int n = Math.min(per, clips - first);
                Stft s = stft(c, in, first, n, per, length, nFft, g.hop());
                long rows = (long) n * s.frameCount();
                long cells = rows * bins;
                long perCells = (long) per * s.frameCount() * bins * Float.BYTES;
                DeviceBuffer db = c.workspace("db", perCells);
                DeviceBuffer threshold = c.workspace("threshold", (long) per * bins * Float.BYTES);
                DeviceBuffer mask = c.workspace("mask", perCells);
                DeviceBuffer scratch = c.workspace("scratch", perCells);
                c.launch("sm_db_kernel", cells, s.spectrum(), db, cells);
                c.launch("sm_noise_threshold_kernel", (long) n * bins, db, threshold, n, s.frameCount(), bins,
                        g.topDb(), g.nStd());
                c.launch("sm_gate_mask_kernel", cells, db, threshold, mask, n, s.frameCount(), bins,
                        g.softnessDb(), g.propDecrease());
                c.launch("sm_smooth_freq_kernel", cells, mask, scratch, rows, bins, g.freqSmoothBins());
                c.launch("sm_smooth_time_kernel", cells, scratch, mask, n, s.frameCount(), bins,
                        g.timeSmoothFrames());
                c.launch("sm_apply_mask_kernel", cells, s.spectrum(), mask, cells);
                c.plan(false, nFft, (int) rows).execC2R(s.spectrum().address(), s.frames().address());
                DeviceBuffer result = c.workspace("result", (long) per * length * Float.BYTES);
                c.launch("sm_overlap_add_kernel", (long) n * length, s.frames(), result, n, length, nFft, g.hop(),
                        s.frameCount());
                long bytes = (long) n * length * Float.BYTES;
                c.download(result, 0, out.asSlice((long) first * length * Float.BYTES, bytes), bytes);
            }
            return null;
        });
    }

    @Override
    public void meanPowerSpectrum(MemorySegment in, MemorySegment out, int clips, int length, int nFft, int hop) {
        int bins = nFft / 2 + 1;
        int per = chunk(stftBytesPerClip(length, nFft, hop), clips);
        ctx.call(c -> {
            DeviceBuffer power = c.workspace("power", (long) per * bins * Float.BYTES);
            for (int first = 0; first < clips; first += per) {
                int n = Math.min(per, clips - first);
                Stft s = stft(c, in, first, n, per, length, nFft, hop);
                c.launch("sm_mean_power_kernel", (long) n * bins, s.spectrum(), power, n, s.frameCount(), bins);
                long bytes = (long) n * bins * Float.BYTES;
                c.download(power, 0, out.asSlice((long) first * bins * Float.BYTES, bytes), bytes);
            }
            return null;
        });
    }

    @Override
    public void firFilter(MemorySegment in, MemorySegment out, int clips, int length, float[] taps) {
        int per = chunk(2L * length * Float.BYTES, clips);
        ctx.call(c -> {
            DeviceBuffer tapBuffer = c.workspace("taps", (long) taps.length * Float.BYTES);
            c.upload(Pointer.to(taps), tapBuffer, (long) taps.length * Float.BYTES);
            DeviceBuffer x = c.workspace("a", (long) per * length * Float.BYTES);
            DeviceBuffer y = c.workspace("b", (long) per * length * Float.BYTES);
            for (int first = 0; first < clips; first += per) {
                int n = Math.min(per, clips - first);
                long offset = (long) first * length * Float.BYTES;
                long bytes = (long) n * length * Float.BYTES;
                c.upload(in.asSlice(offset, bytes), x, 0, bytes);
                c.launch("sm_fir_kernel", (long) n * length, x, y, n, length, tapBuffer, taps.length);
                c.download(y, 0, out.asSlice(offset, bytes), bytes);
            }
            return null;
        });
    }

    // ---- similarity ----------------------------------------------------------------------------

    @Override
    public void normalize(MemorySegment in, MemorySegment out, int rows, int dim) {
        long rowBytes = (long) dim * Float.BYTES;
        int per = chunk(rowBytes, rows);
        ctx.call(c -> {
            DeviceBuffer a = c.workspace("a", per * rowBytes);
            for (int first = 0; first < rows; first += per) {
                int n = Math.min(per, rows - first);
                long bytes = n * rowBytes;
                c.upload(in.asSlice(first * rowBytes, bytes), a, 0, bytes);
                normalizeOnDevice(c, a, n, dim);
                c.download(a, 0, out.asSlice(first * rowBytes, bytes), bytes);
            }
            return null;
        });
    }

    private static void normalizeOnDevice(CudaContext c, DeviceBuffer rows, int n, int dim) {
        int blocks = Math.min(n, c.deviceBlocks("sm_l2_normalize_kernel"));
        c.launchReducing("sm_l2_normalize_kernel", blocks, 1, rows, rows, n, dim);
    }

    @Override
    public ResidentReferences upload(MemorySegment references, int count, int dim) {
        long bytes = (long) count * dim * Float.BYTES;
        return ctx.call(c -> {
            DeviceBuffer matrix = DeviceBuffer.allocate(bytes);
            try {
                c.upload(references.asSlice(0, bytes), matrix, 0, bytes);
                normalizeOnDevice(c, matrix, count, dim);
                c.synchronize();
                return new CudaReferences(this, ctx, matrix, count, dim);
            } catch (RuntimeException | Error e) {
                matrix.close();
                throw e;
            }
        });
    }

    private CudaReferences own(ResidentReferences references) {
        if (!(references instanceof CudaReferences r) || r.owner() != this) {
            throw new IllegalArgumentException("reference set belongs to another provider: "
                    + references.owner().description());
        }
        return r;
    }

    /** Receives the scores of queries {@code first..first+n} while they are on the device. */
    @FunctionalInterface
    private interface ScoreSink {
        void accept(CudaContext c, DeviceBuffer scores, int first, int n);
    }

    /** Normalizes each chunk of queries on the device and scores it against the references with one SGEMM. */
    private void score(CudaReferences refs, MemorySegment queries, int queryCount, ScoreSink sink) {
        int count = refs.count();
        int dim = refs.dimension();
        int per = (int) Math.max(1, Math.min(Math.min(queryCount, MAX_QUERIES_PER_LAUNCH),
                MAX_SCORE_BYTES / ((long) count * Float.BYTES)));
        ctx.call(c -> {
            long matrix = refs.address();
            DeviceBuffer q = c.workspace("queries", (long) per * dim * Float.BYTES);
            DeviceBuffer scores = c.workspace("scores", (long) per * count * Float.BYTES);
            for (int first = 0; first < queryCount; first += per) {
                int n = Math.min(per, queryCount - first);
                long bytes = (long) n * dim * Float.BYTES;
                c.upload(queries.asSlice((long) first * dim * Float.BYTES, bytes), q, 0, bytes);
                normalizeOnDevice(c, q, n, dim);
                // Row-major R (N×D) is column-major D×N: scores (column-major N×n, i.e. row-major
                // n×N) = op(R)=Rᵀ-as-stored (N×D) · Q-as-stored (D×n).
                c.blas().sgemm(CuBlas.OP_T, CuBlas.OP_N, count, n, dim, 1f, matrix, dim, q.address(), dim, 0f,
                        scores.address(), count);
                sink.accept(c, scores, first, n);
            }
            return null;
        });
    }

    @Override
    public void cosine(ResidentReferences references, MemorySegment queries, int queryCount, MemorySegment scores) {
        CudaReferences refs = own(references);
        long rowBytes = (long) refs.count() * Float.BYTES;
        score(refs, queries, queryCount, (c, s, first, n) ->
                c.download(s, 0, scores.asSlice(first * rowBytes, n * rowBytes), n * rowBytes));
    }

    @Override
    public void topK(ResidentReferences references, MemorySegment queries, int queryCount, int k, int[] indices,
                     float[] topScores) {
        CudaReferences refs = own(references);
        int count = refs.count();
        if (k > TOPK_MAX) {
            score(refs, queries, queryCount, (c, s, first, n) -> {
                float[] host = new float[Math.multiplyExact(n, count)];
                c.download(s, Pointer.to(host), (long) host.length * Float.BYTES);
                for (int q = 0; q < n; q++) {
                    hostTopK(host, q * count, count, k, indices, topScores, (first + q) * k);
                }
            });
            return;
        }
        score(refs, queries, queryCount, (c, s, first, n) -> {
            int block = CudaContext.reduceBlock(c.kernel("sm_topk_partial_kernel"));
            long target = 2L * c.deviceBlocks("sm_topk_partial_kernel");
            int parts = (int) Math.max(1, Math.min(CudaContext.ceilDiv(target, n), CudaContext.ceilDiv(count, block)));
            DeviceBuffer partScores = c.workspace("partScores", (long) n * parts * k * Float.BYTES);
            DeviceBuffer partIndices = c.workspace("partIndices", (long) n * parts * k * Integer.BYTES);
            DeviceBuffer bestScores = c.workspace("bestScores", (long) n * k * Float.BYTES);
            DeviceBuffer bestIndices = c.workspace("bestIndices", (long) n * k * Integer.BYTES);
            c.launchReducing("sm_topk_partial_kernel", parts, n, s, count, k, parts, partScores, partIndices);
            c.launchReducing("sm_topk_merge_kernel", 1, n, partScores, partIndices, parts * k, k, bestScores,
                    bestIndices);
            long offset = (long) first * k;
            c.download(bestScores, Pointer.to(topScores).withByteOffset(offset * Float.BYTES), (long) n * k * Float.BYTES);
            c.download(bestIndices, Pointer.to(indices).withByteOffset(offset * Integer.BYTES),
                    (long) n * k * Integer.BYTES);
        });
    }

    /**
     * Selects the {@code k} best of {@code scores[from..from+count)} on the host, best first, ties to
     * the lower index: for k beyond what the kernels keep per thread. Sorts 64-bit keys that order
     * by descending score, then ascending index.
     */
    static void hostTopK(float[] scores, int from, int count, int k, int[] indices, float[] best, int at) {
        long[] keys = new long[count];
        for (int j = 0; j < count; j++) {
            int bits = Float.floatToRawIntBits(scores[from + j] + 0.0f); // -0 and +0 compare equal
            int ascending = bits >= 0 ? bits : bits ^ Integer.MAX_VALUE;
            long descending = (long) Integer.MAX_VALUE - ascending; // 0 .. 2^32-1
            keys[j] = descending << 31 | j;
        }
        Arrays.sort(keys);
        for (int r = 0; r < k; r++) {
            int j = (int) (keys[r] & Integer.MAX_VALUE);
            indices[at + r] = j;
            best[at + r] = scores[from + j];
        }
    }

    /** Items per chunk so that one chunk needs at most {@link #MAX_CHUNK_BYTES}. */
    private static int chunk(long bytesPerItem, int items) {
        return (int) Math.max(1, Math.min(items, MAX_CHUNK_BYTES / Math.max(1, bytesPerItem)));
    }
}
