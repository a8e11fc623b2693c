package io.screenmesh.text.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.text.screen.Hit;
import java.util.List;

/** What the rule tests assert about a scan: the strongest hit, or that nothing reaches MEDIUM. */
final class RuleAssertions {

  static final InjectionRules RULES = new InjectionRules();

  private RuleAssertions() {}

  /** The highest-scoring hit of {@code text}, or null. */
  static Hit strongest(String text) {
    return RULES.scan(text).stream().max((a, b) -> Float.compare(a.score(), b.score())).orElse(null);
  }

  /** Asserts that the strongest hit of {@code text} is HIGH in {@code category}, and returns it. */
  static Hit assertHigh(String text, Category category) {
    Hit h = strongest(text);
    assertTrue(h != null, "no hit for: " + text);
    assertEquals(category, h.category(), text + " → " + h);
    assertEquals(Severity.SEVERITY_HIGH, h.severity(), text + " → " + h);
    return h;
  }

  /** Asserts that no hit of {@code text} reaches MEDIUM. */
  static void assertBelowMedium(String text) {
    List<Hit> hits = RULES.scan(text);
    assertTrue(hits.stream().allMatch(h -> h.severity().getNumber() < Severity.SEVERITY_MEDIUM.getNumber()),
        text + " → " + hits);
  }
}
