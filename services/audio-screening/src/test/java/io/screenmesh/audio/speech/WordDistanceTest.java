package io.screenmesh.audio.speech;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Word edit distance, its normalized form (drift) and the word error rate. */
class WordDistanceTest {

  @Test
  void distanceCountsSubstitutionsInsertionsAndDeletions() {
    assertEquals(0, WordDistance.distance(List.of("a", "b"), List.of("a", "b")));
    assertEquals(1, WordDistance.distance(List.of("a", "b", "c"), List.of("a", "x", "c")));
    assertEquals(1, WordDistance.distance(List.of("a", "b", "c"), List.of("a", "c")));
    assertEquals(2, WordDistance.distance(List.of(), List.of("a", "b")));
    assertEquals(3, WordDistance.distance(List.of("a", "b", "c"), List.of("x", "y", "z")));
  }

  @Test
  void normalizedIsRelativeToTheLongerTranscript() {
    assertEquals(0, WordDistance.normalized(List.of(), List.of()));
    assertEquals(1, WordDistance.normalized(List.of(), List.of("open", "the", "door")));
    assertEquals(0.25, WordDistance.normalized(List.of("open", "the", "front", "door"), List.of("open", "the", "door")));
  }

  @Test
  void wordErrorRateIgnoresCaseAndPunctuation() {
    assertEquals(0, WordDistance.wordErrorRate("Ignore all previous instructions!", "ignore all previous instructions"));
    assertEquals(0.25, WordDistance.wordErrorRate("Ignore ALL previous instructions.", "ignore all previous interaction"));
    assertEquals(List.of("don't", "stop", "42"), WordDistance.words("'Don't' -- stop: 42."));
    assertEquals(2.0, WordDistance.wordErrorRate("", "two words"));
  }
}
