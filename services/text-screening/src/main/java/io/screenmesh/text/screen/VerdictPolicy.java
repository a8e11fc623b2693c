package io.screenmesh.text.screen;

import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.common.v1.Verdict;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuses findings into ALLOW / FLAG / BLOCK. Each detector contributes its strongest finding
 * (so ten e-mail addresses weigh as much as one), and the contributions combine as a noisy OR,
 * {@code 1 - Π(1 - score)}: independent weak signals add up, one strong signal decides.
 * INFO findings never count. The fused score is compared with the flag and block thresholds;
 * optionally one CRITICAL finding blocks on its own.
 */
public final class VerdictPolicy {

  private final double flagThreshold;
  private final double blockThreshold;
  private final boolean blockOnCritical;

  /** A policy with the thresholds of {@code settings}. */
  public VerdictPolicy(ScreeningSettings settings) {
    this.flagThreshold = settings.flagThreshold();
    this.blockThreshold = settings.blockThreshold();
    this.blockOnCritical = settings.blockOnCritical();
  }

  /** The verdict on {@code findings}; its reasons are the counted findings, strongest first. */
  public Verdict decide(List<Finding> findings) {
    Map<String, Float> strongest = new HashMap<>();
    boolean critical = false;
    for (Finding f : findings) {
      if (counts(f)) {
        strongest.merge(f.getDetector(), f.getScore(), Math::max);
        critical |= f.getSeverity() == Severity.SEVERITY_CRITICAL;
      }
    }
    double keep = 1.0;
    for (float s : strongest.values()) {
      keep *= 1.0 - Math.clamp(s, 0f, 1f);
    }
    double score = 1.0 - keep;
    Decision decision = (score >= blockThreshold || (critical && blockOnCritical)) ? Decision.DECISION_BLOCK
        : score >= flagThreshold ? Decision.DECISION_FLAG : Decision.DECISION_ALLOW;
    Verdict.Builder v = Verdict.newBuilder().setDecision(decision).setScore((float) score);
    if (decision != Decision.DECISION_ALLOW) {
      findings.stream().filter(VerdictPolicy::counts)
          .sorted(Comparator.comparing(Finding::getScore).reversed())
          .forEach(v::addReasons);
    }
    return v.build();
  }

  private static boolean counts(Finding f) {
    return f.getSeverity().getNumber() > Severity.SEVERITY_INFO.getNumber();
  }
}
