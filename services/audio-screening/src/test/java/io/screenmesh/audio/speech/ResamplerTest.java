package io.screenmesh.audio.speech;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The anti-aliased resampler: in-band tones keep their amplitude, tones above the new Nyquist vanish. */
class ResamplerTest {

  private static float[] tone(double hz, int rate, double seconds, double amp) {
    float[] s = new float[(int) Math.round(rate * seconds)];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) (amp * Math.sin(2 * Math.PI * hz * i / rate));
    }
    return s;
  }

  /** The amplitude of {@code hz} in the middle of {@code s} (edges excluded), by correlation. */
  private static double amplitude(float[] s, int rate, double hz) {
    int from = s.length / 4;
    int to = 3 * s.length / 4;
    double re = 0;
    double im = 0;
    for (int i = from; i < to; i++) {
      re += s[i] * Math.cos(2 * Math.PI * hz * i / rate);
      im += s[i] * Math.sin(2 * Math.PI * hz * i / rate);
    }
    return 2 * Math.hypot(re, im) / (to - from);
  }

  private static double rms(float[] s) {
    double sum = 0;
    int from = s.length / 4;
    int to = 3 * s.length / 4;
    for (int i = from; i < to; i++) {
      sum += (double) s[i] * s[i];
    }
    return Math.sqrt(sum / (to - from));
  }

  @Test
  void anInBandToneKeepsItsAmplitudeAtEveryUsualRate() {
    for (int from : new int[] {8_000, 11_025, 22_050, 44_100, 48_000, 96_000}) {
      float[] out = Resampler.resample(tone(1_000, from, 1, 0.5), from, 16_000);
      assertEquals((int) Math.ceil(from * 1.0 * 16_000 / from), out.length);
      assertEquals(0.5, amplitude(out, 16_000, 1_000), 0.005, "1 kHz from " + from + " Hz");
    }
    // 6 kHz is inside the pass-band from 22,050 Hz.
    float[] out = Resampler.resample(tone(6_000, 22_050, 1, 0.5), 22_050, 16_000);
    assertEquals(0.5, amplitude(out, 16_000, 6_000), 0.01);
  }

  @Test
  void aToneAboveTheNewNyquistIsSuppressedInsteadOfFoldingBack() {
    // 10 kHz at 22,050 Hz would alias to 6 kHz at 16 kHz; 20 kHz at 48 kHz to 4 kHz.
    int[][] cases = {{22_050, 10_000, 6_000}, {48_000, 20_000, 4_000}, {44_100, 9_000, 7_000}};
    for (int[] c : cases) {
      float[] out = Resampler.resample(tone(c[1], c[0], 1, 0.5), c[0], 16_000);
      double alias = amplitude(out, 16_000, c[2]);
      assertTrue(alias < 0.5e-3, c[1] + " Hz from " + c[0] + " Hz left " + alias + " at " + c[2] + " Hz");
      assertTrue(rms(out) < 0.5e-3, "rms " + rms(out));
    }
  }

  @Test
  void upsamplingKeepsTheSignalAndAddsNoImages() {
    float[] out = Resampler.resample(tone(3_000, 8_000, 1, 0.5), 8_000, 16_000);
    assertEquals(16_000, out.length);
    assertEquals(0.5, amplitude(out, 16_000, 3_000), 0.005);
    // The image of 3 kHz at 8 kHz sits at 5 kHz.
    assertTrue(amplitude(out, 16_000, 5_000) < 0.5e-3);
  }

  @Test
  void oddRatePairsUseTheDirectPathWithTheSameFilter() {
    // 16,001 and 16,000 are coprime: 16,000 phases, over the bank limit.
    float[] in = tone(1_000, 16_001, 1, 0.5);
    float[] out = Resampler.resample(in, 16_001, 16_000);
    assertEquals(0.5, amplitude(out, 16_000, 1_000), 0.005);
  }

  @Test
  void equalRatesCopyAndBadRatesAreRefused() {
    float[] in = {0.1f, -0.2f, 0.3f};
    float[] out = Resampler.resample(in, 16_000, 16_000);
    assertArrayEquals(in, out);
    assertTrue(in != out);
    assertThrows(IllegalArgumentException.class, () -> Resampler.resample(in, 0, 16_000));
    assertEquals(0, Resampler.resample(new float[0], 22_050, 16_000).length);
  }

  @Test
  void besselI0MatchesKnownValues() {
    assertEquals(1.0, Resampler.besselI0(0), 1e-12);
    assertEquals(2.2795853023360673, Resampler.besselI0(2), 1e-9);
    assertEquals(427.56411572180474, Resampler.besselI0(8), 1e-6);
  }
}
