package io.screenmesh.fusion.policy;

import static io.screenmesh.fusion.testing.Findings.finding;
import static io.screenmesh.fusion.testing.Findings.notScreened;
import static io.screenmesh.fusion.testing.Findings.screened;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.fusion.v1.ModalityOutcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrossModalRuleTest {

  private static final Finding IMAGE_INJECTION = finding(Category.CATEGORY_PROMPT_INJECTION, Severity.SEVERITY_HIGH);

  @Test
  void instructionInImageWithCleanPromptIsCrossModal() {
    List<List<Finding>> out = CrossModalRule.apply(List.of(
        screened("prompt", Modality.MODALITY_TEXT, finding(Category.CATEGORY_PII, Severity.SEVERITY_MEDIUM)),
        screened("photo", Modality.MODALITY_IMAGE, IMAGE_INJECTION)));
    assertTrue(out.get(0).isEmpty());
    assertEquals(1, out.get(1).size());
    Finding f = out.get(1).get(0);
    assertEquals(Category.CATEGORY_CROSS_MODAL_INJECTION, f.getCategory());
    assertEquals(Severity.SEVERITY_HIGH, f.getSeverity());
    assertEquals(CrossModalRule.DETECTOR, f.getDetector());
    assertEquals("photo", f.getPartId());
    assertEquals(Modality.MODALITY_IMAGE, f.getModality());
    assertTrue(f.getMessage().contains("PROMPT_INJECTION") && f.getMessage().contains("image"), f.getMessage());
  }

  @Test
  void spokenInjectionInAudioCounts() {
    List<List<Finding>> out = CrossModalRule.apply(List.of(
        screened("prompt", Modality.MODALITY_TEXT),
        screened("clip", Modality.MODALITY_AUDIO, finding(Category.CATEGORY_SPOKEN_INJECTION, Severity.SEVERITY_MEDIUM))));
    assertEquals(1, out.get(1).size());
    assertEquals(Modality.MODALITY_AUDIO, out.get(1).get(0).getModality());
  }

  @Test
  void promptThatCarriesAnInstructionItselfIsNotCrossModal() {
    assertNone(CrossModalRule.apply(List.of(
        screened("prompt", Modality.MODALITY_TEXT, finding(Category.CATEGORY_JAILBREAK, Severity.SEVERITY_LOW)),
        screened("photo", Modality.MODALITY_IMAGE, IMAGE_INJECTION))));
  }

  @Test
  void itemWithoutTextHasNoPromptToDisagreeWith() {
    assertNone(CrossModalRule.apply(List.of(screened("photo", Modality.MODALITY_IMAGE, IMAGE_INJECTION))));
  }

  @Test
  void unscreenedTextIsNotClean() {
    assertNone(CrossModalRule.apply(List.of(
        notScreened("prompt", Modality.MODALITY_TEXT, ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE),
        screened("photo", Modality.MODALITY_IMAGE, IMAGE_INJECTION))));
  }

  @Test
  void weakOrNonInstructionFindingsDoNotTrigger() {
    assertNone(CrossModalRule.apply(List.of(
        screened("prompt", Modality.MODALITY_TEXT),
        screened("photo", Modality.MODALITY_IMAGE,
            finding(Category.CATEGORY_PROMPT_INJECTION, Severity.SEVERITY_LOW),
            finding(Category.CATEGORY_HIDDEN_SIGNAL, Severity.SEVERITY_CRITICAL)))));
  }

  @Test
  void onePerPartPointingAtTheStrongestSource() {
    Finding weaker = finding(Category.CATEGORY_DATA_EXFILTRATION, Severity.SEVERITY_MEDIUM);
    Finding stronger = finding(Category.CATEGORY_SYSTEM_PROMPT_EXTRACTION, Severity.SEVERITY_CRITICAL);
    List<List<Finding>> out = CrossModalRule.apply(List.of(
        screened("prompt", Modality.MODALITY_TEXT),
        screened("a", Modality.MODALITY_IMAGE, weaker, stronger),
        screened("b", Modality.MODALITY_AUDIO, finding(Category.CATEGORY_INAUDIBLE_COMMAND, Severity.SEVERITY_HIGH))));
    assertEquals(1, out.get(1).size());
    assertTrue(out.get(1).get(0).getMessage().contains("SYSTEM_PROMPT_EXTRACTION"), out.get(1).get(0).getMessage());
    assertEquals(1, out.get(2).size());
  }

  private static void assertNone(List<List<Finding>> out) {
    assertTrue(out.stream().allMatch(List::isEmpty), out.toString());
  }
}
