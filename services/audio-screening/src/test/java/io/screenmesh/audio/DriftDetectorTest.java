package io.screenmesh.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.screenmesh.audio.speech.SpeechRecognizer;
import io.screenmesh.audio.speech.Transcript;
import io.screenmesh.audio.speech.Transcripts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The drift score and squeezers, without recognition. */
class DriftDetectorTest {

  private static Transcript said(String text) {
    List<String> words = text.isEmpty() ? List.of() : List.of(text.split(" "));
    List<double[]> times = new ArrayList<>();
    List<Double> conf = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      times.add(new double[] {i, i + 0.5});
      conf.add(1.0);
    }
    return Transcript.of(words, times, conf);
  }

  @Test
  void theScoreIsTheLargestNormalizedDistanceFromTheOriginal() {
    Map<String, Transcript> heard = new LinkedHashMap<>();
    heard.put("original", said("open the front door"));
    heard.put("bits8", said("open the front door"));
    heard.put("resample8k", said("open the door"));
    assertEquals(0.25, DriftDetector.score(heard), 1e-12);
    heard.put("denoised", said("call mom"));
    assertEquals(1.0, DriftDetector.score(heard), 1e-12);
  }

  @Test
  void eightBitsRoundToTheNearestOf255Levels() {
    float[] out = DriftDetector.bits(new float[] {0f, 1f, -1f, 0.5f, 2f, 0.003f}, 8);
    assertEquals(0f, out[0]);
    assertEquals(1f, out[1]);
    assertEquals(-1f, out[2]);
    assertEquals(64f / 127, out[3], 1e-7);
    assertEquals(1f, out[4]);
    assertEquals(0f, out[5]);
  }

  @Test
  void badSettingsAreRefused() {
    Transcripts t = new Transcripts(SpeechRecognizer.load("/nonexistent-model"));
    assertThrows(IllegalArgumentException.class, () -> new DriftDetector(t, 0, List.of("bits8")));
    assertThrows(IllegalArgumentException.class, () -> new DriftDetector(t, 0.5, List.of("median")));
    assertThrows(IllegalArgumentException.class, () -> new DriftDetector(t, 0.5, List.of()));
    assertEquals(false, new DriftDetector(t, 0.5, List.of("bits8")).availability().available());
  }
}
