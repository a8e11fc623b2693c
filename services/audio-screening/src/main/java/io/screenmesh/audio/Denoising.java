package io.screenmesh.audio;

import io.screenmesh.kernels.GateConfig;
import io.screenmesh.kernels.Spectral;

/**
 * How a clip is cleaned before detection and sanitizing: the stationary spectral gate
 * ({@link GateConfig#defaults(int)} at the clip's rate), then a linear-phase low-pass FIR
 * ({@link Spectral#lowPassTaps}).
 *
 * <p>The default cutoff, 8 kHz, keeps everything a 16 kHz speech recognizer reads and leaves a
 * 101-tap Hamming FIR the room to reach its stop-band (about 53 dB down) long before 18 kHz,
 * where commands on inaudible carriers sit: at 48 kHz its transition band is about 1.6 kHz wide,
 * at 192 kHz about 6.3 kHz, so the whole band from 18 kHz up is in the stop-band at every
 * accepted rate. A cutoff at the inaudible band itself would leave 18–20 kHz in the transition
 * band, where the filter passes much of it.
 *
 * @param gate whether the spectral gate runs
 * @param cutoffHz the low-pass cutoff; a clip whose Nyquist frequency is at or below it holds
 *     nothing above it and is not filtered
 * @param taps the FIR length, odd, in [1, {@value Spectral#MAX_TAPS}]
 */
public record Denoising(boolean gate, double cutoffHz, int taps) {

  /** The defaults: gate on, 8 kHz, 101 taps. */
  public static final Denoising DEFAULTS = new Denoising(true, 8_000, 101);

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException when the cutoff is not positive and finite or the tap count
   *     is not odd and in range
   */
  public Denoising {
    if (!(cutoffHz > 0) || Double.isInfinite(cutoffHz)) {
      throw new IllegalArgumentException("screenmesh.audio.denoise.cutoff-hz must be positive, got " + cutoffHz);
    }
    if (taps < 1 || taps % 2 == 0 || taps > Spectral.MAX_TAPS) {
      throw new IllegalArgumentException("screenmesh.audio.denoise.taps must be odd and in [1, "
          + Spectral.MAX_TAPS + "], got " + taps);
    }
  }

  /** True when a clip at {@code sampleRate} can hold content above the cutoff. */
  public boolean lowPasses(int sampleRate) {
    return cutoffHz < sampleRate / 2.0;
  }

  /** The gate's parameters at {@code sampleRate}. */
  public GateConfig gateConfig(int sampleRate) {
    return GateConfig.defaults(sampleRate);
  }
}
