package io.screenmesh.kernels;

/**
 * Parameters of the stationary spectral gate (STFT → per-bin noise profile → soft mask → iSTFT).
 *
 * <p>Framing: a periodic Hann window of {@code nFft} samples, frames every {@code hop} samples over
 * the clip padded with {@code nFft/2} zeros in front and zeros behind, {@code 1 + ceil(length/hop)}
 * frames. Noise profile per bin {@code k}: {@code db = 20·log10(|X|+1e-10)} floored at the bin's
 * maximum minus {@code topDb}; {@code threshold[k] = mean(db) + nStd·std(db)} over the clip's
 * frames (population std), the way noisereduce's stationary mode does without a separate noise
 * clip. Mask: {@code (1−propDecrease) + propDecrease·σ((db−threshold)/softnessDb)} (a hard step
 * when {@code softnessDb} is 0), smoothed by a separable triangle of half-widths
 * {@code freqSmoothBins}, {@code timeSmoothFrames}, renormalized at the edges so that a mask of
 * ones stays ones. Reconstruction: inverse FFT, window, overlap-add divided by the summed squared
 * window, which reconstructs the input exactly when the mask is 1.
 *
 * @param nFft             FFT size, a power of two in [16, 65536]
 * @param hop              frame step, in [1, nFft/2] so every sample is covered twice
 * @param nStd             threshold above the mean, in standard deviations of the bin's dB
 * @param propDecrease     how much of the noise to remove, in [0, 1]; 0 leaves the signal untouched
 * @param freqSmoothBins   half-width of the mask smoothing along frequency, in bins, ≥ 0
 * @param timeSmoothFrames half-width of the mask smoothing along time, in frames, ≥ 0
 * @param topDb            dynamic range kept below each bin's maximum, in dB, &gt; 0
 * @param softnessDb       width of the logistic transition at the threshold, in dB, ≥ 0
 */
public record GateConfig(int nFft, int hop, float nStd, float propDecrease, int freqSmoothBins,
                         int timeSmoothFrames, float topDb, float softnessDb) {

    /**
     * Checks the parameters.
     *
     * @throws IllegalArgumentException when a parameter is outside its range (the message names it and its value)
     */
    public GateConfig {
        if (nFft < 16 || nFft > 65536 || Integer.bitCount(nFft) != 1) {
            throw new IllegalArgumentException("nFft must be a power of two in [16, 65536]: " + nFft);
        }
        if (hop < 1 || hop > nFft / 2) {
            throw new IllegalArgumentException("hop must be in [1, nFft/2 = " + nFft / 2 + "]: " + hop);
        }
        if (!(nStd >= 0f) || Float.isInfinite(nStd)) {
            throw new IllegalArgumentException("nStd must be finite and >= 0: " + nStd);
        }
        if (!(propDecrease >= 0f && propDecrease <= 1f)) {
            throw new IllegalArgumentException("propDecrease must be in [0, 1]: " + propDecrease);
        }
        if (freqSmoothBins < 0 || freqSmoothBins > nFft / 2 || timeSmoothFrames < 0 || timeSmoothFrames > 1024) {
            throw new IllegalArgumentException("smoothing half-widths out of range: freq " + freqSmoothBins
                    + " (0.." + nFft / 2 + "), time " + timeSmoothFrames + " (0..1024)");
        }
        if (!(topDb > 0f) || Float.isInfinite(topDb)) {
            throw new IllegalArgumentException("topDb must be finite and > 0: " + topDb);
        }
        if (!(softnessDb >= 0f) || Float.isInfinite(softnessDb)) {
            throw new IllegalArgumentException("softnessDb must be finite and >= 0: " + softnessDb);
        }
    }

    /**
     * The defaults for speech-band screening: n_fft 1024, hop 256, 1.5 std, full decrease, mask
     * smoothed over ±1 bin and about ±50 ms at the given rate, 80 dB range, 0.5 dB soft edge.
     *
     * <p>The frequency smoothing is far narrower than noisereduce's 500 Hz because a wide
     * smoothing dilutes the mask of narrow tones: a Hann-windowed tone spans three bins, and
     * already a ±2-bin triangle costs it ~2.8 dB (a 16-bin one ~11 dB).
     *
     * @param sampleRate samples per second, &gt; 0
     * @throws IllegalArgumentException when the sample rate is not positive
     */
    public static GateConfig defaults(int sampleRate) {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sample rate must be > 0: " + sampleRate);
        }
        int nFft = 1024;
        int hop = 256;
        int freqBins = 1;
        int timeFrames = Math.max(1, Math.round(0.050f * sampleRate / hop));
        return new GateConfig(nFft, hop, 1.5f, 1f, freqBins, timeFrames, 80f, 0.5f);
    }

    /** A copy with another {@code propDecrease}; 0 turns the gate into an exact STFT round trip. */
    public GateConfig withPropDecrease(float value) {
        return new GateConfig(nFft, hop, nStd, value, freqSmoothBins, timeSmoothFrames, topDb, softnessDb);
    }

    /** Number of STFT frames for a clip of {@code length} samples: {@code 1 + ceil(length/hop)}. */
    public int frames(int length) {
        return frameCount(length, hop);
    }

    /** Number of STFT frames the spectral operations use for a clip: {@code 1 + ceil(length/hop)}. */
    public static int frameCount(int length, int hop) {
        return 1 + (length + hop - 1) / hop;
    }
}
