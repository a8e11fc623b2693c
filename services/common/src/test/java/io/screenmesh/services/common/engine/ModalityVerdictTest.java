package io.screenmesh.services.common.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.common.v1.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModalityVerdictTest {

  private static Finding f(String detector, float score, Severity severity, Category category) {
    return Finding.newBuilder().setDetector(detector).setScore(score).setSeverity(severity).setCategory(category).build();
  }

  private static Finding f(String detector, float score, Severity severity) {
    return f(detector, score, severity, Category.CATEGORY_PROMPT_INJECTION);
  }

  @Test
  void noFindingsAllow() {
    Verdict v = ModalityVerdict.DEFAULT.decide(List.of());
    assertEquals(Decision.DECISION_ALLOW, v.getDecision());
    assertEquals(0f, v.getScore());
    assertEquals(0, v.getReasonsCount());
  }

  @Test
  void independentDetectorsCombineAsNoisyOrButOneDetectorCountsOnce() {
    // Two detectors at 0.4: 1 - 0.6 * 0.6 = 0.64 → FLAG.
    Verdict two = ModalityVerdict.DEFAULT.decide(List.of(f("a", 0.4f, Severity.SEVERITY_MEDIUM),
        f("b", 0.4f, Severity.SEVERITY_MEDIUM)));
    assertEquals(0.64f, two.getScore(), 1e-6);
    assertEquals(Decision.DECISION_FLAG, two.getDecision());
    assertEquals(2, two.getReasonsCount());
    // Ten findings of one detector at 0.4 weigh as one: 0.4 → ALLOW.
    List<Finding> ten = java.util.stream.IntStream.range(0, 10).mapToObj(i -> f("pii", 0.4f, Severity.SEVERITY_LOW)).toList();
    assertEquals(Decision.DECISION_ALLOW, ModalityVerdict.DEFAULT.decide(ten).getDecision());
    assertEquals(0.4f, ModalityVerdict.DEFAULT.decide(ten).getScore(), 1e-6);
  }

  @Test
  void infoNeverCountsAndCriticalBlocksWhenConfigured() {
    assertEquals(Decision.DECISION_ALLOW,
        ModalityVerdict.DEFAULT.decide(List.of(f("a", 1f, Severity.SEVERITY_INFO))).getDecision());
    Finding critical = f("secret", 0.3f, Severity.SEVERITY_CRITICAL);
    assertEquals(Decision.DECISION_BLOCK, ModalityVerdict.DEFAULT.decide(List.of(critical)).getDecision());
    assertEquals(Decision.DECISION_ALLOW, new ModalityVerdict(0.5, 0.85, false).decide(List.of(critical)).getDecision());
  }

  @Test
  void anInputNotFullyScreenedBlocksWhateverItsScore() {
    Finding unscreened = f("image.metadata-text", 0.1f, Severity.SEVERITY_HIGH, Category.CATEGORY_SCREENING_UNAVAILABLE);
    assertEquals(Decision.DECISION_BLOCK, new ModalityVerdict(0.9, 0.99, false).decide(List.of(unscreened)).getDecision());
  }

  @Test
  void thresholdsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new ModalityVerdict(0.9, 0.5, true));
    assertThrows(IllegalArgumentException.class, () -> new ModalityVerdict(-0.1, 0.5, true));
    assertThrows(IllegalArgumentException.class, () -> new ModalityVerdict(0.5, 1.5, true));
  }
}
