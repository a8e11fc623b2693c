package io.screenmesh.fusion.extraction;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.common.v1.Verdict;
import io.screenmesh.fusion.v1.PartResult;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import java.util.List;
import java.util.Locale;

/**
 * Puts the {@link ExtractionMonitor} on the front door's path: the text parts' embeddings of each
 * item are judged under the caller's name, and an item whose caller looks like it is sweeping
 * the model gets a {@code CATEGORY_MODEL_EXTRACTION} finding and at least the configured decision.
 * The finding lands in the audit log with the item, so a security team can follow the principal.
 */
public final class ExtractionGuard {

  /** The detector id of the finding. */
  public static final String DETECTOR = "fusion.model-extraction";

  /** No monitoring: text parts' embeddings are not even requested. */
  public static final ExtractionGuard OFF = new ExtractionGuard(null, Decision.DECISION_FLAG);

  private final ExtractionMonitor monitor;
  private final Decision action;

  /**
   * Creates a guard.
   *
   * @param monitor the per-principal monitor; null for {@link #OFF}
   * @param action the least decision a flagged principal's items get (FLAG or BLOCK)
   */
  public ExtractionGuard(ExtractionMonitor monitor, Decision action) {
    if (action != Decision.DECISION_FLAG && action != Decision.DECISION_BLOCK) {
      throw new IllegalArgumentException("screenmesh.extraction.action is flag or block, not " + action);
    }
    this.monitor = monitor;
    this.action = action;
  }

  /** Builds the guard the configuration asks for. */
  public static ExtractionGuard of(ExtractionConfig config) {
    if (!config.enabled()) {
      return OFF;
    }
    Decision action = switch (config.action().toLowerCase(Locale.ROOT)) {
      case "flag" -> Decision.DECISION_FLAG;
      case "block" -> Decision.DECISION_BLOCK;
      default -> throw new IllegalArgumentException(
          "screenmesh.extraction.action is flag or block, not '" + config.action() + "'");
    };
    return new ExtractionGuard(new ExtractionMonitor(new ExtractionMonitor.Settings(config.maxPrincipals(),
        config.growingSet(), config.window(), config.minQueries(), config.wThreshold())), action);
  }

  /** Whether text parts' embeddings should be requested. */
  public boolean enabled() {
    return monitor != null;
  }

  /**
   * One text part's embedding, as text-screening returned it.
   *
   * @param partId the part
   * @param embedding its L2-normalized embedding
   */
  public record PartEmbedding(String partId, float[] embedding) {}

  /**
   * Records the item's text queries under {@code principal} and, when the principal's history
   * now looks like an extraction sweep, adds the finding and raises the decision.
   */
  public ScreenItemResponse judge(String principal, List<PartEmbedding> texts, ScreenItemResponse response) {
    if (monitor == null || texts.isEmpty()) {
      return response;
    }
    ExtractionMonitor.Observation worst = null;
    String partId = "";
    for (PartEmbedding t : texts) {
      ExtractionMonitor.Observation o = monitor.observe(principal, t.embedding());
      if (o.flagged() && (worst == null || o.w() < worst.w())) {
        worst = o;
        partId = t.partId();
      }
    }
    if (worst == null) {
      return response;
    }
    Finding finding = Finding.newBuilder()
        .setDetector(DETECTOR)
        .setCategory(Category.CATEGORY_MODEL_EXTRACTION)
        .setSeverity(action == Decision.DECISION_BLOCK ? Severity.SEVERITY_HIGH : Severity.SEVERITY_MEDIUM)
        .setScore((float) Math.max(0, Math.min(1, 1 - worst.w())))
        .setModality(Modality.MODALITY_TEXT)
        .setPartId(partId)
        .setMessage(String.format(Locale.ROOT, "the caller's last %d queries are spread like a model-extraction sweep,"
            + " not like ordinary use (Shapiro-Wilk W %.3f on nearest-query distances)", worst.distances(), worst.w()))
        .build();
    Verdict v = response.getVerdict();
    Verdict.Builder raised = v.toBuilder().addReasons(finding);
    if (v.getDecision().getNumber() < action.getNumber()) {
      raised.setDecision(action).setScore(Math.max(v.getScore(), finding.getScore()));
    }
    ScreenItemResponse.Builder out = response.toBuilder().setVerdict(raised);
    for (int i = 0; i < out.getPartsCount(); i++) {
      PartResult p = out.getParts(i);
      if (p.getPartId().equals(partId)) {
        out.setParts(i, p.toBuilder().addFindings(finding));
      }
    }
    return out.build();
  }
}
