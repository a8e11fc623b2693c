package io.screenmesh.fusion.testing;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.fusion.v1.ModalityOutcome;
import io.screenmesh.fusion.v1.PartResult;
import java.util.List;

/** Builders of findings and part results for tests. */
public final class Findings {

  private Findings() {}

  /** A finding of {@code category} at {@code severity}, as a detector would report it. */
  public static Finding finding(Category category, Severity severity) {
    return Finding.newBuilder()
        .setDetector("test." + category.name().toLowerCase(java.util.Locale.ROOT))
        .setCategory(category)
        .setSeverity(severity)
        .setScore(0.9f)
        .setMessage("scripted " + category + " finding")
        .build();
  }

  /** A part that its modality service screened, with {@code findings}. */
  public static PartResult screened(String id, Modality modality, Finding... findings) {
    return PartResult.newBuilder().setPartId(id).setModality(modality)
        .setOutcome(ModalityOutcome.MODALITY_OUTCOME_SCREENED)
        .addAllFindings(List.of(findings).stream()
            .map(f -> f.toBuilder().setPartId(id).setModality(modality).build()).toList())
        .build();
  }

  /** A part whose modality service did not screen it. */
  public static PartResult notScreened(String id, Modality modality, ModalityOutcome outcome) {
    return PartResult.newBuilder().setPartId(id).setModality(modality).setOutcome(outcome).build();
  }
}
