package io.screenmesh.fusion.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLoaderTest {

  private static final String FULL = """
      policies:
        tenant-a:
          description: a tenant
          severity-scores: {LOW: 0.1, medium: 0.45, SEVERITY_HIGH: 0.9}
          category-weights:
            default: 0.5
            PII: 0.2
            CATEGORY_PROMPT_INJECTION: 1.5
          thresholds: {flag: 0.3, block: 0.7}
          actions:
            - {category: SECRET, action: FLAG}
            - {category: prompt_injection, min-severity: HIGH, action: block}
          unavailable: {text: fail-closed, audio: fail-open}
        minimal:
          thresholds: {flag: 0.5, block: 0.5}
      """;

  @Test
  void parsesEverySection() {
    Map<String, Policy> policies = PolicyLoader.parse("test.yaml", FULL);
    assertEquals(2, policies.size());
    Policy p = policies.get("tenant-a");
    assertEquals("a tenant", p.description());
    assertEquals(0.1, p.severityScore(Severity.SEVERITY_LOW));
    assertEquals(0.45, p.severityScore(Severity.SEVERITY_MEDIUM));
    assertEquals(0.9, p.severityScore(Severity.SEVERITY_HIGH));
    // Severities the file leaves out keep the built-in scores.
    assertEquals(1.0, p.severityScore(Severity.SEVERITY_CRITICAL));
    assertEquals(0.0, p.severityScore(Severity.SEVERITY_INFO));
    assertEquals(0.2, p.weight(Category.CATEGORY_PII));
    assertEquals(1.5, p.weight(Category.CATEGORY_PROMPT_INJECTION));
    assertEquals(0.5, p.weight(Category.CATEGORY_JAILBREAK), "unlisted categories take the default weight");
    assertEquals(0.3, p.flagThreshold());
    assertEquals(0.7, p.blockThreshold());
    assertEquals(List.of(
        new ForcedAction(Category.CATEGORY_SECRET, Severity.SEVERITY_INFO, Decision.DECISION_FLAG),
        new ForcedAction(Category.CATEGORY_PROMPT_INJECTION, Severity.SEVERITY_HIGH, Decision.DECISION_BLOCK)),
        p.actions());
    assertEquals(FailMode.CLOSED, p.failMode(Modality.MODALITY_TEXT));
    assertEquals(FailMode.OPEN, p.failMode(Modality.MODALITY_AUDIO));
    assertEquals(FailMode.CLOSED, p.failMode(Modality.MODALITY_IMAGE), "modalities not listed fail closed");

    Policy minimal = policies.get("minimal");
    assertEquals(1.0, minimal.weight(Category.CATEGORY_SECRET));
    assertEquals(0.8, minimal.severityScore(Severity.SEVERITY_HIGH));
    assertTrue(minimal.actions().isEmpty());
    for (Modality m : List.of(Modality.MODALITY_TEXT, Modality.MODALITY_IMAGE, Modality.MODALITY_AUDIO)) {
      assertEquals(FailMode.CLOSED, minimal.failMode(m));
    }
  }

  @Test
  void bundledPoliciesLoadAndFailClosedByDefault() {
    Map<String, Policy> bundled = PolicyLoader.loadBundled();
    assertTrue(bundled.keySet().containsAll(List.of("default", "strict", "availability-first")), bundled.keySet().toString());
    Policy d = bundled.get("default");
    for (Modality m : List.of(Modality.MODALITY_TEXT, Modality.MODALITY_IMAGE, Modality.MODALITY_AUDIO)) {
      assertEquals(FailMode.CLOSED, d.failMode(m));
    }
    assertEquals(FailMode.OPEN, bundled.get("availability-first").failMode(Modality.MODALITY_IMAGE));
    assertEquals(FailMode.CLOSED, bundled.get("availability-first").failMode(Modality.MODALITY_TEXT));
  }

  @Test
  void reportsEveryProblemWithItsPath() {
    String yaml = """
        policies:
          bad:
            severity-scores: {HIGH: 1.5, EXTREME: 0.9}
            category-weights: {PROMPT_INJECTON: 1.0}
            thresholds: {flag: 0.8, block: 0.6}
            actions:
              - {category: SECRET, action: QUARANTINE}
              - {action: BLOCK}
            unavailable: {video: fail-open, audio: maybe}
            colour: red
        """;
    PolicyFileException e = assertThrows(PolicyFileException.class, () -> PolicyLoader.parse("bad.yaml", yaml));
    String all = String.join("\n", e.problems());
    for (String expected : List.of(
        "policies.bad.severity-scores.HIGH: 1.5 is outside [0.0, 1.0]",
        "policies.bad.severity-scores.EXTREME: unknown severity 'EXTREME'",
        "policies.bad.category-weights.PROMPT_INJECTON: unknown category 'PROMPT_INJECTON'",
        "policies.bad.thresholds: flag (0.8) must not be above block (0.6)",
        "policies.bad.actions[0].action: 'QUARANTINE' is not ALLOW, FLAG or BLOCK",
        "policies.bad.actions[1].category: required",
        "policies.bad.unavailable.video: unknown modality",
        "policies.bad.unavailable.audio: 'maybe' is not fail-closed or fail-open",
        "policies.bad.colour: unknown key")) {
      assertTrue(all.contains(expected), "missing problem: " + expected + "\nreported:\n" + all);
    }
    assertTrue(e.getMessage().startsWith("bad.yaml is not a valid policies file"), e.getMessage());
  }

  @Test
  void thresholdsAreRequiredAndAboveZero() {
    PolicyFileException missing = assertThrows(PolicyFileException.class,
        () -> PolicyLoader.parse("t.yaml", "policies:\n  p:\n    description: no thresholds\n"));
    assertTrue(missing.problems().get(0).startsWith("policies.p.thresholds: required"), missing.problems().toString());
    PolicyFileException zero = assertThrows(PolicyFileException.class,
        () -> PolicyLoader.parse("t.yaml", "policies:\n  p:\n    thresholds: {flag: 0, block: 0.5}\n"));
    assertTrue(zero.problems().get(0).startsWith("policies.p.thresholds.flag: must be above 0"), zero.problems().toString());
  }

  @Test
  void severityScoresMustNotDecrease() {
    PolicyFileException e = assertThrows(PolicyFileException.class, () -> PolicyLoader.parse("t.yaml",
        "policies:\n  p:\n    severity-scores: {MEDIUM: 0.9, HIGH: 0.3}\n    thresholds: {flag: 0.4, block: 0.7}\n"));
    assertTrue(e.problems().stream().anyMatch(s -> s.contains("must not decrease with severity, but HIGH 0.3 < MEDIUM 0.9")),
        e.problems().toString());
  }

  @Test
  void refusesDuplicateKeysAndBrokenYaml() {
    PolicyFileException dup = assertThrows(PolicyFileException.class, () -> PolicyLoader.parse("t.yaml",
        "policies:\n  p:\n    thresholds: {flag: 0.4, block: 0.7}\n  p:\n    thresholds: {flag: 0.1, block: 0.2}\n"));
    assertTrue(dup.getMessage().contains("duplicate key p"), dup.getMessage());
    PolicyFileException broken = assertThrows(PolicyFileException.class,
        () -> PolicyLoader.parse("t.yaml", "policies: [unclosed"));
    assertTrue(broken.getMessage().contains("not valid YAML"), broken.getMessage());
    // "._" matches YAML 1.1's float pattern and then fails to parse as one (found by fuzzing).
    for (String scalar : List.of("._", "policies:\n  p:\n    thresholds: {flag: ._, block: 0.7}\n")) {
      PolicyFileException unreadable = assertThrows(PolicyFileException.class, () -> PolicyLoader.parse("t.yaml", scalar));
      assertTrue(unreadable.getMessage().contains("not valid YAML"), unreadable.getMessage());
    }
    PolicyFileException empty = assertThrows(PolicyFileException.class, () -> PolicyLoader.parse("t.yaml", ""));
    assertTrue(empty.getMessage().contains("must be a mapping with a 'policies' key"), empty.getMessage());
    PolicyFileException noPolicies = assertThrows(PolicyFileException.class,
        () -> PolicyLoader.parse("t.yaml", "policies: {}\n"));
    assertTrue(noPolicies.getMessage().contains("policies: must be a non-empty mapping"), noPolicies.getMessage());
  }

  @Test
  void refusesPolicyNamesThatCannotBeSentSafely() {
    PolicyFileException e = assertThrows(PolicyFileException.class,
        () -> PolicyLoader.parse("t.yaml", "policies:\n  'Has Space':\n    thresholds: {flag: 0.4, block: 0.7}\n"));
    assertTrue(e.problems().get(0).startsWith("policies.Has Space: a policy name is"), e.problems().toString());
  }

  @Test
  void loadsFromAFileAndNamesAMissingOne(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("policies.yaml");
    Files.writeString(file, FULL);
    assertEquals(2, PolicyLoader.load(file).size());
    Path missing = dir.resolve("nope.yaml");
    PolicyFileException e = assertThrows(PolicyFileException.class, () -> PolicyLoader.load(missing));
    assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("file not found"), e.getMessage());
  }
}
