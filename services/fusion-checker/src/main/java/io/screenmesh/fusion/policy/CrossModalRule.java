package io.screenmesh.fusion.policy;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.fusion.v1.ModalityOutcome;
import io.screenmesh.fusion.v1.PartResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The first cross-modal check: an instruction that arrives through an image or audio part
 * while the item's text looks benign. Attackers hide "ignore previous instructions" in
 * image metadata or speech precisely because the prompt filter only reads the prompt; the
 * prompt then looks clean, and the mismatch itself is the signal.
 *
 * <p>It fires for a non-text part with an instruction-type finding (see
 * {@link #INSTRUCTION_CATEGORIES}) of at least MEDIUM severity, when the item has at least
 * one text part, every text part was screened, and no text part has an instruction-type
 * finding of LOW severity or above. It adds one {@code CATEGORY_CROSS_MODAL_INJECTION}
 * finding of HIGH severity per such part, pointing at that part's strongest instruction
 * finding. Items without text are left to the per-part findings: there is no prompt to
 * disagree with. Parts that were not screened never make the text look clean, so an outage
 * cannot turn into a cross-modal finding (the fail mode decides those).
 */
public final class CrossModalRule {

  /** Detector id of the findings this rule adds. */
  public static final String DETECTOR = "fusion.cross_modal.instruction";

  /**
   * Categories that carry an instruction to the model. The spoken and inaudible audio
   * categories are instructions by definition, so they count too.
   */
  public static final Set<Category> INSTRUCTION_CATEGORIES = EnumSet.of(
      Category.CATEGORY_PROMPT_INJECTION,
      Category.CATEGORY_JAILBREAK,
      Category.CATEGORY_SYSTEM_PROMPT_EXTRACTION,
      Category.CATEGORY_DATA_EXFILTRATION,
      Category.CATEGORY_SPOKEN_INJECTION,
      Category.CATEGORY_INAUDIBLE_COMMAND);

  private CrossModalRule() {}

  /**
   * The cross-modal findings for an item, one list per part in the parts' order (empty
   * lists for parts without one).
   */
  public static List<List<Finding>> apply(List<PartResult> parts) {
    List<List<Finding>> out = new ArrayList<>(parts.size());
    boolean anyText = false;
    boolean textClean = true;
    for (PartResult p : parts) {
      if (p.getModality() == Modality.MODALITY_TEXT) {
        anyText = true;
        textClean &= p.getOutcome() == ModalityOutcome.MODALITY_OUTCOME_SCREENED
            && p.getFindingsList().stream().noneMatch(f -> isInstruction(f, Severity.SEVERITY_LOW));
      }
    }
    for (PartResult p : parts) {
      List<Finding> extra = new ArrayList<>(1);
      if (anyText && textClean && p.getModality() != Modality.MODALITY_TEXT) {
        p.getFindingsList().stream()
            .filter(f -> isInstruction(f, Severity.SEVERITY_MEDIUM))
            .max(Comparator.comparingInt((Finding f) -> f.getSeverity().getNumber())
                .thenComparingDouble(Finding::getScore))
            .ifPresent(source -> extra.add(crossModal(p, source)));
      }
      out.add(extra);
    }
    return out;
  }

  private static boolean isInstruction(Finding f, Severity atLeast) {
    return INSTRUCTION_CATEGORIES.contains(f.getCategory())
        && f.getSeverity().getNumber() >= atLeast.getNumber();
  }

  private static Finding crossModal(PartResult part, Finding source) {
    String modality = part.getModality().name().substring("MODALITY_".length()).toLowerCase(Locale.ROOT);
    String category = source.getCategory().name().substring("CATEGORY_".length());
    return Finding.newBuilder()
        .setDetector(DETECTOR)
        .setCategory(Category.CATEGORY_CROSS_MODAL_INJECTION)
        .setSeverity(Severity.SEVERITY_HIGH)
        .setScore(source.getScore())
        .setEvidence(source.getEvidence())
        .setMessage("an instruction (" + category + ", from " + source.getDetector() + ") arrives through the "
            + modality + " part while the item's text is clean")
        .setModality(part.getModality())
        .setPartId(part.getPartId())
        .build();
  }
}
