package io.screenmesh.fusion.policy;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.DetectorOutcome;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.common.v1.Verdict;
import io.screenmesh.fusion.v1.ModalityOutcome;
import io.screenmesh.fusion.v1.PartResult;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuses the per-part results of one item into one verdict under a {@link Policy}.
 *
 * <p><b>Score.</b> Each finding {@code f} contributes
 * {@code c(f) = min(1, severityScore(f.severity) × weight(f.category))}; the item's fused
 * score is the maximum of {@code c(f)} over all its findings (0 without findings). The
 * maximum, not a noisy-OR, so that many weak findings (ten e-mail addresses in a document)
 * do not add up to a block, and so that every verdict is explained by its strongest
 * finding. The detector's own confidence ({@code Finding.score}) is reported but not
 * multiplied in: detectors already grade severity by confidence, and multiplying twice
 * would make thresholds depend on each detector's calibration.
 *
 * <p><b>Decision.</b> Each finding gets its own decision: the action of the first
 * {@link ForcedAction} of the policy that matches it, or else the thresholds applied to
 * {@code c(f)} (BLOCK at or above {@code block}, FLAG at or above {@code flag}, else
 * ALLOW). The item's decision is the most severe of these, ALLOW without findings. A forced
 * action can therefore lower a finding's decision below what its score alone would give
 * (SECRET → FLAG: the sanitized text is redacted, so a pasted key is flagged, not blocked)
 * as well as raise it; the reported score is still the maximum of {@code c(f)}.
 *
 * <p><b>Parts that were not screened</b> are decided here, not by the policy's weights, so
 * no weight or rule can quietly let unscreened content through:
 * <ul>
 *   <li>{@code REJECTED} (the modality service refused the part as malformed or too large):
 *       a {@code CATEGORY_MALFORMED_INPUT} finding of HIGH severity that BLOCKs, score 1.</li>
 *   <li>{@code UNAVAILABLE} under a fail-closed modality: a
 *       {@code CATEGORY_SCREENING_UNAVAILABLE} finding of HIGH severity that BLOCKs, score 1.</li>
 *   <li>{@code UNAVAILABLE} under a fail-open modality: the same category at INFO severity,
 *       contributing 0 and deciding ALLOW; it is listed among the verdict's reasons when the
 *       item is allowed, so the caller learns that a part went unscreened.</li>
 *   <li>{@code SCREENED} but not fully: the modality service reported a
 *       {@code CATEGORY_SCREENING_UNAVAILABLE} finding, or one of its detectors ended
 *       {@code DETECTOR_OUTCOME_FAILED} or {@code DETECTOR_OUTCOME_TIMED_OUT}. The part is
 *       decided exactly as an {@code UNAVAILABLE} one (one finding by fusion, fail-closed
 *       BLOCKs, fail-open notices), and the service's own SCREENING_UNAVAILABLE findings are
 *       kept on the part but not scored by the policy's weights, which could otherwise let
 *       a half-screened part through under a fail-closed modality.</li>
 * </ul>
 *
 * <p><b>Fail-open covers outages only.</b> A policy's fail-open rule is for a modality
 * service that is down, not for an input that ran out of time or text that went unscreened,
 * both of which a caller can cause on purpose:
 * <ul>
 *   <li>a part that ended DEADLINE_EXCEEDED (the caller's own deadline, or an input slow
 *       enough to exhaust the modality's budget) or whose detector TIMED_OUT fails closed;</li>
 *   <li>a part whose derived text (metadata, OCR, transcripts) text-screening could not
 *       screen (reasons {@code TEXT_SCREENING_*}) follows the text rule: it fails open only
 *       when both its own modality and text fail open.</li>
 * </ul>
 *
 * <p><b>Reasons.</b> The verdict's reasons are the findings whose own decision equals the
 * item's decision (for ALLOW: only the fail-open notices), in part order.
 *
 * <p>The {@link CrossModalRule} runs first; its findings are scored like any other.
 */
public final class VerdictFusion {

  /** Detector id of the findings added for parts whose service could not screen them. */
  public static final String UNAVAILABLE_DETECTOR = "fusion.unavailable";
  /** Detector id of the findings added for parts their service refused. */
  public static final String REJECTED_DETECTOR = "fusion.rejected";
  /** How the reasons of unscreened derived text begin (DerivedTextScreener's reasons). */
  static final String TEXT_SCREENING_REASON_PREFIX = "TEXT_SCREENING_";

  private VerdictFusion() {}

  /**
   * The fused result of an item.
   *
   * @param verdict the decision, the fused score and the findings that drove it
   * @param parts the parts with the findings added by fusion (unavailable, rejected, cross-modal)
   */
  public record Fused(Verdict verdict, List<PartResult> parts) {}

  private record Judged(Finding finding, double contribution, Decision decision, boolean notice) {}

  /**
   * Fuses {@code parts} under {@code policy}.
   *
   * @param policy the policy to apply
   * @param parts the results per part, each with its outcome and the findings of its modality
   *     service
   * @return the verdict and the parts with fusion's own findings added
   */
  public static Fused fuse(Policy policy, List<PartResult> parts) {
    List<List<Finding>> crossModal = CrossModalRule.apply(parts);
    List<PartResult> out = new ArrayList<>(parts.size());
    List<Judged> judged = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      PartResult part = parts.get(i);
      PartResult.Builder b = part.toBuilder();
      for (Finding f : part.getFindingsList()) {
        if (f.getCategory() != Category.CATEGORY_SCREENING_UNAVAILABLE) {
          judged.add(judge(policy, f));
        }
      }
      String incomplete = part.getOutcome() == ModalityOutcome.MODALITY_OUTCOME_SCREENED ? incomplete(part) : null;
      if (part.getOutcome() != ModalityOutcome.MODALITY_OUTCOME_SCREENED || incomplete != null) {
        Judged notScreened = notScreened(policy, part, incomplete);
        b.addFindings(notScreened.finding());
        judged.add(notScreened);
      }
      for (Finding f : crossModal.get(i)) {
        b.addFindings(f);
        judged.add(judge(policy, f));
      }
      out.add(b.build());
    }

    double score = 0;
    Decision decision = Decision.DECISION_ALLOW;
    for (Judged j : judged) {
      score = Math.max(score, j.contribution());
      if (j.decision().getNumber() > decision.getNumber()) {
        decision = j.decision();
      }
    }
    Verdict.Builder v = Verdict.newBuilder().setDecision(decision).setScore((float) score);
    for (Judged j : judged) {
      boolean drove = decision == Decision.DECISION_ALLOW ? j.notice() : j.decision() == decision;
      if (drove) {
        v.addReasons(j.finding());
      }
    }
    return new Fused(v.build(), List.copyOf(out));
  }

  /** The contribution of one finding under {@code policy}: {@code min(1, severityScore × weight)}. */
  public static double contribution(Policy policy, Finding f) {
    return Math.min(1.0, policy.severityScore(f.getSeverity()) * policy.weight(f.getCategory()));
  }

  private static Judged judge(Policy policy, Finding f) {
    double c = contribution(policy, f);
    Decision d = policy.forcedAction(f).map(ForcedAction::action).orElseGet(() -> policy.decide(c));
    return new Judged(f, c, d, false);
  }

  /**
   * Why a part its service answered was not fully screened, or null when it was: the
   * service's own SCREENING_UNAVAILABLE findings and its failed or timed-out detectors.
   */
  private static String incomplete(PartResult part) {
    List<String> why = new ArrayList<>();
    for (Finding f : part.getFindingsList()) {
      if (f.getCategory() == Category.CATEGORY_SCREENING_UNAVAILABLE) {
        why.add(f.getDetector().isEmpty() ? "a detector was unavailable" : f.getDetector() + " unavailable");
      }
    }
    for (DetectorRun d : part.getProcessing().getDetectorsList()) {
      if (d.getOutcome() == DetectorOutcome.DETECTOR_OUTCOME_FAILED) {
        why.add(d.getDetector() + " failed");
      } else if (d.getOutcome() == DetectorOutcome.DETECTOR_OUTCOME_TIMED_OUT) {
        why.add(d.getDetector() + " timed out");
      }
    }
    return why.isEmpty() ? null : String.join(", ", why);
  }

  private static Judged notScreened(Policy policy, PartResult part, String incomplete) {
    String why = incomplete != null ? " fully (" + incomplete + ")"
        : part.hasError() && !part.getError().getReason().isEmpty() ? " (" + part.getError().getReason() + ")" : "";
    Finding.Builder f = Finding.newBuilder()
        .setModality(part.getModality())
        .setPartId(part.getPartId())
        .setScore(1.0f);
    if (part.getOutcome() == ModalityOutcome.MODALITY_OUTCOME_REJECTED) {
      f.setDetector(REJECTED_DETECTOR)
          .setCategory(Category.CATEGORY_MALFORMED_INPUT)
          .setSeverity(Severity.SEVERITY_HIGH)
          .setMessage("the " + modalityName(part) + " service refused the part" + why);
      return new Judged(f.build(), 1.0, Decision.DECISION_BLOCK, false);
    }
    // UNAVAILABLE, and defensively anything else that is not SCREENED.
    f.setDetector(UNAVAILABLE_DETECTOR).setCategory(Category.CATEGORY_SCREENING_UNAVAILABLE);
    if (failMode(policy, part) == FailMode.OPEN) {
      f.setSeverity(Severity.SEVERITY_INFO)
          .setMessage("the " + modalityName(part) + " service could not screen the part" + why
              + "; policy " + policy.name() + " fails open for it");
      return new Judged(f.build(), 0.0, Decision.DECISION_ALLOW, true);
    }
    String rule = policy.failMode(part.getModality()) == FailMode.CLOSED ? "policy " + policy.name() + " fails closed for it"
        : cause(part) == Cause.TIMEOUT ? "running out of time is not an outage, so it fails closed"
        : "its derived text follows the text rule, which fails closed";
    f.setSeverity(Severity.SEVERITY_HIGH)
        .setMessage("the " + modalityName(part) + " service could not screen the part" + why + "; " + rule);
    return new Judged(f.build(), 1.0, Decision.DECISION_BLOCK, false);
  }

  /** Why a part went unscreened, as far as the fail rule cares; later constants are stricter. */
  private enum Cause { OUTAGE, DERIVED_TEXT, TIMEOUT }

  /** The fail rule that applies to a part that was not (fully) screened; see the class comment. */
  private static FailMode failMode(Policy policy, PartResult part) {
    FailMode own = policy.failMode(part.getModality());
    return switch (cause(part)) {
      case OUTAGE -> own;
      case TIMEOUT -> FailMode.CLOSED;
      case DERIVED_TEXT -> own == FailMode.OPEN && policy.failMode(Modality.MODALITY_TEXT) == FailMode.OPEN
          ? FailMode.OPEN : FailMode.CLOSED;
    };
  }

  private static Cause cause(PartResult part) {
    Cause cause = Cause.OUTAGE;
    if (part.hasError()) {
      cause = worse(cause, causeOf(part.getError().getCode(), part.getError().getReason()));
    }
    for (DetectorRun d : part.getProcessing().getDetectorsList()) {
      if (d.getOutcome() == DetectorOutcome.DETECTOR_OUTCOME_TIMED_OUT) {
        cause = worse(cause, Cause.TIMEOUT);
      } else if (d.getOutcome() == DetectorOutcome.DETECTOR_OUTCOME_FAILED) {
        cause = worse(cause, causeOf(0, d.getReason()));
      }
    }
    for (Finding f : part.getFindingsList()) {
      if (f.getCategory() == Category.CATEGORY_SCREENING_UNAVAILABLE) {
        cause = worse(cause, causeOf(0, f.getMessage()));
      }
    }
    return cause;
  }

  /** A cause read from a gRPC code and a reason (or a message that quotes one). */
  private static Cause causeOf(int code, String reason) {
    if (code == io.grpc.Status.Code.DEADLINE_EXCEEDED.value()) {
      return Cause.TIMEOUT;
    }
    // DerivedTextScreener's reasons (TEXT_SCREENING_UNAVAILABLE, TEXT_SCREENING_DEADLINE_EXCEEDED)
    // lead the detector's failure reason and are quoted in its finding's message.
    return reason.contains(TEXT_SCREENING_REASON_PREFIX) ? Cause.DERIVED_TEXT : Cause.OUTAGE;
  }

  private static Cause worse(Cause a, Cause b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static String modalityName(PartResult part) {
    return switch (part.getModality()) {
      case MODALITY_TEXT -> "text";
      case MODALITY_IMAGE -> "image";
      case MODALITY_AUDIO -> "audio";
      default -> "modality";
    };
  }
}
