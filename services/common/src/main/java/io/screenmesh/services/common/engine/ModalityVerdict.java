package io.screenmesh.services.common.engine;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.common.v1.Verdict;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one rule that turns a modality's findings into its verdict, shared by text-, image- and
 * audio-screening (the front door fuses findings by its policy, which reads the same fields).
 *
 * <ol>
 *   <li>INFO findings never count.</li>
 *   <li>Each detector contributes its strongest finding's score, so ten e-mail addresses weigh
 *       as much as one.</li>
 *   <li>The contributions combine as a noisy OR, {@code score = 1 - Π(1 - s_d)}: independent
 *       weak signals add up, one strong signal decides.</li>
 *   <li>BLOCK when {@code score >= block}, or when a CRITICAL finding is present and
 *       {@code blockOnCritical}, or when the input was not fully screened (a
 *       {@code CATEGORY_SCREENING_UNAVAILABLE} finding: a detector failed or ran out of time, a
 *       peer could not screen derived text) — a modality service fails closed on its own; the
 *       front door may still apply a fail-open policy; FLAG when {@code score >= flag}; else
 *       ALLOW.</li>
 *   <li>The reasons are the counted findings, strongest first (none for ALLOW).</li>
 * </ol>
 *
 * <p>Because derived text (metadata, OCR, transcripts) comes back from text-screening as
 * findings and is judged here by the same rule, an image's verdict on its hidden text agrees
 * with text-screening's verdict on that text.
 *
 * @param flag the score at or above which the input is flagged
 * @param block the score at or above which the input is blocked
 * @param blockOnCritical whether one CRITICAL finding blocks on its own
 */
public record ModalityVerdict(double flag, double block, boolean blockOnCritical) {

  /** The default thresholds: flag at 0.5, block at 0.85, a CRITICAL finding blocks. */
  public static final ModalityVerdict DEFAULT = new ModalityVerdict(0.5, 0.85, true);

  /**
   * Checks the thresholds.
   *
   * @throws IllegalArgumentException unless {@code 0 <= flag <= block <= 1}
   */
  public ModalityVerdict {
    if (!(flag >= 0 && flag <= block && block <= 1)) {
      throw new IllegalArgumentException("verdict thresholds must satisfy 0 <= flag <= block <= 1, got flag="
          + flag + " block=" + block);
    }
  }

  /** The verdict on {@code findings}. */
  public Verdict decide(List<Finding> findings) {
    Map<String, Float> strongest = new HashMap<>();
    boolean critical = false;
    boolean unscreened = false;
    for (Finding f : findings) {
      if (counts(f)) {
        strongest.merge(f.getDetector(), f.getScore(), Math::max);
        critical |= f.getSeverity() == Severity.SEVERITY_CRITICAL;
        unscreened |= f.getCategory() == Category.CATEGORY_SCREENING_UNAVAILABLE;
      }
    }
    double keep = 1.0;
    for (float s : strongest.values()) {
      keep *= 1.0 - Math.clamp(s, 0f, 1f);
    }
    double score = 1.0 - keep;
    Decision decision = score >= block || (critical && blockOnCritical) || unscreened ? Decision.DECISION_BLOCK
        : score >= flag ? Decision.DECISION_FLAG : Decision.DECISION_ALLOW;
    Verdict.Builder v = Verdict.newBuilder().setDecision(decision).setScore((float) score);
    if (decision != Decision.DECISION_ALLOW) {
      findings.stream().filter(ModalityVerdict::counts)
          .sorted(Comparator.comparing(Finding::getScore).reversed())
          .forEach(v::addReasons);
    }
    return v.build();
  }

  private static boolean counts(Finding f) {
    return f.getSeverity().getNumber() > Severity.SEVERITY_INFO.getNumber();
  }
}
