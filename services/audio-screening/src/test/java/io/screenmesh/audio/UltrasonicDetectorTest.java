package io.screenmesh.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.kernels.Spectral;
import org.junit.jupiter.api.Test;

class UltrasonicDetectorTest {

  private final UltrasonicDetector detector = new UltrasonicDetector(
      Spectral.on(new io.screenmesh.kernels.java.JavaAccelerationProvider()), 18_000, 0.2, 0.5);

  @Test
  void audibleSoundHasNoInaudibleEnergy() {
    float[] speechBand = TestWavs.mix(TestWavs.sine(220, 1, 48_000, 0.4), TestWavs.sine(3_000, 1, 48_000, 0.2));
    UltrasonicDetector.Result r = detector.measure(speechBand, 48_000);
    assertTrue(r.ran());
    assertTrue(r.fraction() < 0.01, "fraction " + r.fraction());
    assertNull(r.finding());
  }

  @Test
  void anAmplitudeModulatedUltrasonicCarrierIsFound() {
    // A 21 kHz carrier modulated by a 400 Hz "voice", after half a second of quiet speech.
    int rate = 48_000;
    float[] clip = new float[rate * 2];
    float[] speech = TestWavs.sine(400, 2, rate, 0.05);
    for (int i = 0; i < clip.length; i++) {
      double t = (double) i / rate;
      double carrier = t >= 0.5 ? 0.5 * (1 + 0.8 * Math.sin(2 * Math.PI * 400 * t)) * Math.sin(2 * Math.PI * 21_000 * t) : 0;
      clip[i] = (float) (speech[i] + carrier);
    }
    UltrasonicDetector.Result r = detector.measure(clip, rate);
    assertTrue(r.fraction() > 0.5, "fraction " + r.fraction());
    assertNotNull(r.finding());
    assertEquals(Category.CATEGORY_INAUDIBLE_COMMAND, r.finding().getCategory());
    assertEquals(Severity.SEVERITY_HIGH, r.finding().getSeverity());
    // Evidence is as fine as one segment: 8,192 samples, 0.17 s at 48 kHz.
    assertEquals(0.5, r.finding().getEvidence().getTimeRange().getStartSeconds(), 0.18);
    assertEquals(2.0, r.finding().getEvidence().getTimeRange().getEndSeconds(), 0.18);
  }

  @Test
  void aModestShareFlagsRatherThanBlocks() {
    float[] clip = TestWavs.mix(TestWavs.sine(1_000, 1, 96_000, 0.5), TestWavs.sine(25_000, 1, 96_000, 0.3));
    UltrasonicDetector.Result r = detector.measure(clip, 96_000);
    assertTrue(r.fraction() > 0.2 && r.fraction() < 0.5, "fraction " + r.fraction());
    assertEquals(Severity.SEVERITY_MEDIUM, r.finding().getSeverity());
  }

  @Test
  void lowSampleRatesCannotCarryItAndSilenceIsNotAFinding() {
    UltrasonicDetector.Result r = detector.measure(TestWavs.sine(440, 1, 16_000, 0.5), 16_000);
    assertFalse(r.ran());
    assertTrue(r.reason().contains("16000 Hz"), r.reason());
    UltrasonicDetector.Result quiet = detector.measure(new float[48_000], 48_000);
    assertTrue(quiet.ran());
    assertNull(quiet.finding());
  }
}
