package io.screenmesh.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * FFT-based audio sanitizing of mono float32 clips: the stationary spectral gate
 * ({@link GateConfig}), FIR low-pass filtering and band energies (energy above the audible band
 * betrays ultrasonic command injection).
 *
 * <p>Batches are {@code clips} clips of {@code length} samples stored one after another. Checks
 * every argument, then delegates to the chosen backend.
 */
public final class Spectral {
    /** Longest supported clip: 2^30 samples (18 hours at 16 kHz) keeps frame arithmetic in int. */
    public static final int MAX_LENGTH = 1 << 30;
    /** Most FIR taps {@link #fir} accepts. */
    public static final int MAX_TAPS = 4095;

    private final AccelerationProvider provider;

    private Spectral(AccelerationProvider provider) {
        this.provider = Checks.provider(provider);
    }

    /** The facade over the provider chosen for this JVM. */
    public static Spectral get() {
        return new Spectral(AccelerationProviders.current());
    }

    /** The facade over a specific provider (tests, benchmarks). */
    public static Spectral on(AccelerationProvider provider) {
        return new Spectral(provider);
    }

    /** The backend that does the work. */
    public Backend backend() {
        return provider.backend();
    }

    /**
     * Gates one clip into a new array.
     *
     * @throws IllegalArgumentException when the clip is empty
     */
    public float[] gate(float[] clip, GateConfig config) {
        Objects.requireNonNull(clip, "clip");
        float[] out = new float[clip.length];
        gate(clip, out, 1, clip.length, config);
        return out;
    }

    /**
     * Gates {@code clips} clips of {@code length} samples each.
     *
     * @throws IllegalArgumentException when an array length is not {@code clips·length} or the arrays are the same
     */
    public void gate(float[] in, float[] out, int clips, int length, GateConfig config) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Checks.length("in", in.length, (long) clips * length);
        Checks.length("out", out.length, (long) clips * length);
        gate(MemorySegment.ofArray(in), MemorySegment.ofArray(out), clips, length, config);
    }

    /**
     * Gates {@code clips} clips of {@code length} samples held in segments.
     *
     * @throws IllegalArgumentException when a segment is too small or misaligned, the segments
     *                                  overlap, or clips/length are out of range
     */
    public void gate(MemorySegment in, MemorySegment out, int clips, int length, GateConfig config) {
        Objects.requireNonNull(config, "config");
        checkBatch(clips, length);
        long n = (long) clips * length;
        MemorySegment i = Checks.elements(in, "in", n, Float.BYTES);
        MemorySegment o = Checks.elements(out, "out", n, Float.BYTES);
        Checks.overlap(i, o, false);
        provider.spectralGate(i, o, clips, length, config);
    }

    /**
     * The mean power spectrum of one clip ({@code nFft/2 + 1} bins, see
     * {@link AccelerationProvider#meanPowerSpectrum}).
     *
     * @throws IllegalArgumentException when the clip is empty or nFft/hop are out of range
     */
    public float[] meanPowerSpectrum(float[] clip, int nFft, int hop) {
        Objects.requireNonNull(clip, "clip");
        float[] out = new float[nFft / 2 + 1];
        meanPowerSpectrum(MemorySegment.ofArray(clip), MemorySegment.ofArray(out), 1, clip.length, nFft, hop);
        return out;
    }

    /**
     * Mean power spectra of a batch into {@code out} ({@code clips × (nFft/2+1)} floats).
     *
     * @throws IllegalArgumentException when a segment is too small, or clips/length/nFft/hop are out of range
     */
    public void meanPowerSpectrum(MemorySegment in, MemorySegment out, int clips, int length, int nFft, int hop) {
        checkBatch(clips, length);
        checkFraming(nFft, hop);
        MemorySegment i = Checks.elements(in, "in", (long) clips * length, Float.BYTES);
        MemorySegment o = Checks.elements(out, "out", (long) clips * (nFft / 2 + 1), Float.BYTES);
        Checks.overlap(i, o, false);
        provider.meanPowerSpectrum(i, o, clips, length, nFft, hop);
    }

    /**
     * Energy per frequency band of one clip: for each band {@code [edges[b], edges[b+1])} in Hz, the
     * sum of the mean power spectrum over the bins whose centre frequency {@code k·rate/nFft} lies in it.
     *
     * @param edgesHz increasing band edges, at least two
     * @throws IllegalArgumentException when the edges are not increasing, fewer than two, or the framing is invalid
     */
    public double[] bandEnergies(float[] clip, float sampleRate, int nFft, int hop, double... edgesHz) {
        Objects.requireNonNull(edgesHz, "edgesHz");
        if (!(sampleRate > 0f) || Float.isInfinite(sampleRate)) {
            throw new IllegalArgumentException("sample rate must be finite and > 0: " + sampleRate);
        }
        if (edgesHz.length < 2) {
            throw new IllegalArgumentException("need at least two band edges: " + edgesHz.length);
        }
        for (int b = 1; b < edgesHz.length; b++) {
            if (!(edgesHz[b] > edgesHz[b - 1])) {
                throw new IllegalArgumentException("band edges must increase: " + edgesHz[b - 1] + " >= " + edgesHz[b]);
            }
        }
        float[] power = meanPowerSpectrum(clip, nFft, hop);
        double[] energies = new double[edgesHz.length - 1];
        for (int k = 0; k < power.length; k++) {
            double f = (double) k * sampleRate / nFft;
            for (int b = 0; b < energies.length; b++) {
                if (f >= edgesHz[b] && f < edgesHz[b + 1]) {
                    energies[b] += power[k];
                }
            }
        }
        return energies;
    }

    /**
     * Low-pass filters a batch with a linear-phase windowed-sinc FIR ({@link #lowPassTaps}).
     *
     * @throws IllegalArgumentException when lengths differ from {@code clips·length}, the cutoff is not
     *                                  in (0, rate/2) or the tap count is not odd and in [1, {@value #MAX_TAPS}]
     */
    public void lowPass(float[] in, float[] out, int clips, int length, float sampleRate, float cutoffHz, int numTaps) {
        fir(in, out, clips, length, lowPassTaps(numTaps, cutoffHz, sampleRate));
    }

    /**
     * Filters a batch with the given odd-length FIR, zero-phase ("same" convolution, zeros outside the clip).
     *
     * @throws IllegalArgumentException when lengths differ from {@code clips·length}, the arrays are the same
     *                                  or the tap count is not odd and in [1, {@value #MAX_TAPS}]
     */
    public void fir(float[] in, float[] out, int clips, int length, float[] taps) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Checks.length("in", in.length, (long) clips * length);
        Checks.length("out", out.length, (long) clips * length);
        fir(MemorySegment.ofArray(in), MemorySegment.ofArray(out), clips, length, taps);
    }

    /**
     * Filters a batch held in segments with the given odd-length FIR.
     *
     * @throws IllegalArgumentException when a segment is too small, the segments overlap or the taps are invalid
     */
    public void fir(MemorySegment in, MemorySegment out, int clips, int length, float[] taps) {
        Objects.requireNonNull(taps, "taps");
        if (taps.length % 2 == 0 || taps.length > MAX_TAPS) {
            throw new IllegalArgumentException("FIR needs an odd number of taps in [1, " + MAX_TAPS + "]: " + taps.length);
        }
        checkBatch(clips, length);
        long n = (long) clips * length;
        MemorySegment i = Checks.elements(in, "in", n, Float.BYTES);
        MemorySegment o = Checks.elements(out, "out", n, Float.BYTES);
        Checks.overlap(i, o, false);
        provider.firFilter(i, o, clips, length, taps.clone());
    }

    /**
     * Designs a low-pass FIR like {@code scipy.signal.firwin(numTaps, cutoff, fs=rate)}: a sinc
     * windowed by Hamming, scaled to unit gain at DC.
     *
     * @throws IllegalArgumentException when the cutoff is not in (0, rate/2) or the tap count is not odd and in range
     */
    public static float[] lowPassTaps(int numTaps, double cutoffHz, double sampleRate) {
        if (numTaps < 1 || numTaps % 2 == 0 || numTaps > MAX_TAPS) {
            throw new IllegalArgumentException("numTaps must be odd and in [1, " + MAX_TAPS + "]: " + numTaps);
        }
        if (!(sampleRate > 0) || !(cutoffHz > 0 && cutoffHz < sampleRate / 2)) {
            throw new IllegalArgumentException("cutoff must be in (0, rate/2 = " + sampleRate / 2 + "): " + cutoffHz);
        }
        double fc = cutoffHz / (sampleRate / 2); // cutoff relative to Nyquist, firwin's convention
        double[] h = new double[numTaps];
        double sum = 0;
        int m = (numTaps - 1) / 2;
        for (int n = 0; n < numTaps; n++) {
            double x = n - m;
            double sinc = x == 0 ? 1.0 : Math.sin(Math.PI * fc * x) / (Math.PI * fc * x);
            double hamming = numTaps == 1 ? 1.0 : 0.54 - 0.46 * Math.cos(2 * Math.PI * n / (numTaps - 1));
            h[n] = fc * sinc * hamming;
            sum += h[n];
        }
        float[] taps = new float[numTaps];
        for (int n = 0; n < numTaps; n++) {
            taps[n] = (float) (h[n] / sum);
        }
        return taps;
    }

    private static void checkBatch(int clips, int length) {
        Checks.positive("clips", clips);
        Checks.positive("length", length);
        if (length > MAX_LENGTH) {
            throw new IllegalArgumentException("clip length " + length + " > " + MAX_LENGTH);
        }
    }

    private static void checkFraming(int nFft, int hop) {
        if (nFft < 16 || nFft > 65536 || Integer.bitCount(nFft) != 1) {
            throw new IllegalArgumentException("nFft must be a power of two in [16, 65536]: " + nFft);
        }
        if (hop < 1 || hop > nFft / 2) {
            throw new IllegalArgumentException("hop must be in [1, nFft/2 = " + nFft / 2 + "]: " + hop);
        }
    }
}
