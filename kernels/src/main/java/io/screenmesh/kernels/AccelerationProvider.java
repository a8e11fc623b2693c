package io.screenmesh.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The service-provider interface of the hot paths: one implementation per {@link Backend},
 * chosen once by {@link AccelerationProviders}. Applications call the facades {@link Squeeze},
 * {@link Spectral} and {@link Similarity}, which check every argument and then delegate here.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>A public no-argument constructor that throws {@link BackendUnavailableException} with the
 *       reason (and how to fix it) when the backend cannot run; no native calls in static
 *       initializers.</li>
 *   <li>Arguments arrive checked: shapes are positive, segments are large enough
 *       ({@code in}/{@code out} hold at least the stated number of elements, starting at offset 0),
 *       float segments are 4-byte aligned, parameters are in range. Methods need not re-check.</li>
 *   <li>Segments may be heap segments ({@code MemorySegment.ofArray}) or native ones; an
 *       implementation must accept both without the caller copying.</li>
 *   <li>{@code in} and {@code out} never partially overlap; element-wise operations
 *       ({@code bitDepth*}, {@code normalize}) may get the very same segment (in place); the others
 *       get disjoint segments.</li>
 *   <li>Thread-safe: concurrent calls with distinct output segments must work.</li>
 *   <li>Results follow the semantics documented on each method bit for bit where stated (squeeze),
 *       otherwise within the tolerances of the correctness suite against {@code java}.</li>
 * </ul>
 */
public interface AccelerationProvider {

    /** The backend this provider implements. */
    Backend backend();

    /** A human-readable description for logs and health, e.g. {@code "native (AVX-512, FFTW 3.3.10, 2 threads)"}. */
    String description();

    // ---- squeeze -------------------------------------------------------------------------------

    /**
     * Bit-depth reduction of float32 values with IBM ART FeatureSqueezing semantics, every step
     * rounded to float32 in this order (no fused multiply-add):
     * {@code r = (x − lo) / range; r = rint(r·m) / m; y = r·range + lo} where
     * {@code m = 2^bits − 1}, {@code range = (float) ((double) hi − (double) lo)}, rint rounds half to even.
     * Values outside [lo, hi] are not clipped (ART does not clip either).
     *
     * @param count number of floats
     * @param bits  1..8
     */
    void bitDepthF32(MemorySegment in, MemorySegment out, long count, int bits, float clipMin, float clipMax);

    /**
     * Bit-depth reduction of uint8 values with clip range [0, 255]:
     * {@code y = rint(rint(x·m/255)·255/m)} computed exactly (no ties occur), i.e.
     * {@code k = (2·x·m + 255) / 510; y = (2·k·255 + m) / (2·m)} in integers.
     *
     * @param count number of bytes
     * @param bits  1..8
     */
    void bitDepthU8(MemorySegment in, MemorySegment out, long count, int bits);

    /**
     * Median over a {@code window×window} neighbourhood of each channel of each image, exactly
     * {@code scipy.ndimage.median_filter(x, size=(1, w, w, 1), mode="reflect")}: the window covers
     * rows/cols {@code i − w/2 … i − w/2 + w − 1} (for 2×2: the pixel, the one above, the one to the
     * left and the one diagonally above-left), indices outside reflect as {@code d c b a | a b c d | d c b a},
     * and the result is the element of rank {@code w·w/2} (0-based, ascending) — the upper median
     * (3rd smallest) of four. −0 and +0 rank as equal, so either may be returned where they tie
     * (as in scipy); with NaN in the window the result is unspecified.
     *
     * @param window 2 or 3
     */
    void medianF32(MemorySegment in, MemorySegment out, Nhwc shape, int window);

    /** {@link #medianF32} over uint8 values. */
    void medianU8(MemorySegment in, MemorySegment out, Nhwc shape, int window);

    // ---- spectral ------------------------------------------------------------------------------

    /**
     * The stationary spectral gate of {@link GateConfig} applied to each of {@code clips} mono
     * float32 clips of {@code length} samples laid out one after another; each clip gets its own
     * noise profile. {@code out} has the same layout.
     */
    void spectralGate(MemorySegment in, MemorySegment out, int clips, int length, GateConfig config);

    /**
     * The mean power spectrum of each clip: {@code out[c·(nFft/2+1) + k] = mean over frames of |X_f[k]|²}
     * with the framing of {@link GateConfig} (periodic Hann, {@code nFft/2} zeros in front,
     * {@code 1 + ceil(length/hop)} frames), unnormalized FFT.
     */
    void meanPowerSpectrum(MemorySegment in, MemorySegment out, int clips, int length, int nFft, int hop);

    /**
     * Zero-phase FIR filtering of each clip: {@code out[t] = Σ_j taps[j]·in[t + (T−1)/2 − j]} with zeros
     * outside the clip ({@code numpy.convolve(x, taps, "same")} for odd T).
     *
     * @param taps odd number of taps, at most 4095
     */
    void firFilter(MemorySegment in, MemorySegment out, int clips, int length, float[] taps);

    // ---- similarity ----------------------------------------------------------------------------

    /**
     * L2-normalizes {@code rows} vectors of {@code dim} floats; a zero row stays zero.
     */
    void normalize(MemorySegment in, MemorySegment out, int rows, int dim);

    /**
     * Copies {@code count×dim} row-major reference vectors into memory this provider owns (host or
     * device), L2-normalizing each row. The caller's segment may be reused after return.
     */
    ResidentReferences upload(MemorySegment references, int count, int dim);

    /**
     * Cosine similarities of {@code queryCount} raw query rows (normalized here) against every
     * reference row: {@code scores[q·N + j]}.
     *
     * @param references created by this provider, open
     */
    void cosine(ResidentReferences references, MemorySegment queries, int queryCount, MemorySegment scores);

    /**
     * The {@code k} best references of each query by cosine similarity, best first, ties broken
     * by the lower index: {@code indices[q·k + r]}, {@code scores[q·k + r]}.
     *
     * @param references created by this provider, open
     * @param k          1..N
     */
    void topK(ResidentReferences references, MemorySegment queries, int queryCount, int k, int[] indices, float[] scores);
}
