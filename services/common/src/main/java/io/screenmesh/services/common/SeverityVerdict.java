package io.screenmesh.services.common;

import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.common.v1.Verdict;
import java.util.List;

/**
 * A modality service's own verdict on its findings: the most severe finding decides
 * (HIGH or CRITICAL blocks, MEDIUM flags, anything weaker allows) and the verdict's score is
 * the highest finding score. The front door fuses findings by its policy; this verdict is what
 * a caller of the modality service alone sees.
 */
public final class SeverityVerdict {

  private SeverityVerdict() {}

  /** The decision a finding of {@code severity} leads to on its own. */
  public static Decision decisionFor(Severity severity) {
    return switch (severity) {
      case SEVERITY_HIGH, SEVERITY_CRITICAL -> Decision.DECISION_BLOCK;
      case SEVERITY_MEDIUM -> Decision.DECISION_FLAG;
      default -> Decision.DECISION_ALLOW;
    };
  }

  /** The verdict on {@code findings}; the reasons are the findings that reached the decision. */
  public static Verdict of(List<Finding> findings) {
    Decision decision = Decision.DECISION_ALLOW;
    float score = 0f;
    for (Finding f : findings) {
      Decision d = decisionFor(f.getSeverity());
      if (d.getNumber() > decision.getNumber()) {
        decision = d;
      }
      score = Math.max(score, f.getScore());
    }
    Verdict.Builder v = Verdict.newBuilder().setDecision(decision).setScore(score);
    if (decision != Decision.DECISION_ALLOW) {
      for (Finding f : findings) {
        if (decisionFor(f.getSeverity()) == decision) {
          v.addReasons(f);
        }
      }
    }
    return v.build();
  }
}
