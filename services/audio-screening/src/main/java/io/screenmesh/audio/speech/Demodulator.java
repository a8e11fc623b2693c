package io.screenmesh.audio.speech;

import io.screenmesh.kernels.Spectral;

/**
 * Recovers what a microphone would hear from the ultrasonic band of a clip. A microphone's
 * amplifier is slightly non-linear: its output holds a term in the square of its input, so a
 * command amplitude-modulated onto an inaudible carrier, {@code (1 + m·x(t))·cos(2π·fc·t)},
 * comes out of the square law as {@code (1 + m·x(t))²/2} plus terms around {@code 2·fc} — the
 * command itself, in the audible band, once the microphone's own low-pass removes the rest
 * (DolphinAttack). This does the same on purpose: it keeps only the band above the cutoff (a
 * linear-phase FIR high-pass, the spectral inversion of {@link Spectral#lowPassTaps}), squares
 * it, and resamples to {@value SpeechRecognizer#RATE} Hz through {@link Resampler}, whose
 * anti-aliasing filter is the low-pass; the carrier's DC is removed and the level normalized
 * for the recognizer.
 */
public final class Demodulator {

  // 101 taps: at 96 kHz the transition band is about 3 kHz wide, so speech below 8 kHz is in
  // the high-pass filter's stop-band (about 53 dB down) when the cutoff is at 18 kHz.
  private static final int TAPS = 101;
  private static final float PEAK = 0.5f;

  private final Spectral spectral;
  private final double cutoffHz;

  /**
   * Creates a demodulator.
   *
   * @param spectral the FIR hot path
   * @param cutoffHz where the inaudible band starts
   */
  public Demodulator(Spectral spectral, double cutoffHz) {
    this.spectral = spectral;
    this.cutoffHz = cutoffHz;
  }

  /**
   * The baseband at {@value SpeechRecognizer#RATE} Hz, or an empty array when the rate carries
   * nothing above the cutoff.
   */
  public float[] demodulate(float[] mono, int sampleRate) {
    if (mono.length == 0 || !(cutoffHz < sampleRate / 2.0)) {
      return new float[0];
    }
    float[] taps = Spectral.lowPassTaps(TAPS, cutoffHz, sampleRate);
    for (int i = 0; i < taps.length; i++) {
      taps[i] = -taps[i];
    }
    taps[TAPS / 2] += 1f;
    float[] high = new float[mono.length];
    spectral.fir(mono, high, 1, mono.length, taps);
    for (int i = 0; i < high.length; i++) {
      high[i] = high[i] * high[i];
    }
    float[] base = Resampler.resample(high, sampleRate, SpeechRecognizer.RATE);
    double mean = 0;
    for (float v : base) {
      mean += v;
    }
    mean /= Math.max(1, base.length);
    float peak = 0;
    for (int i = 0; i < base.length; i++) {
      base[i] -= (float) mean;
      peak = Math.max(peak, Math.abs(base[i]));
    }
    if (peak > 0) {
      float gain = PEAK / peak;
      for (int i = 0; i < base.length; i++) {
        base[i] *= gain;
      }
    }
    return base;
  }
}
