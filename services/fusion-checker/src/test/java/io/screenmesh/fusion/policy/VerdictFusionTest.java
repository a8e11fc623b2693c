package io.screenmesh.fusion.policy;

import static io.screenmesh.fusion.testing.Findings.finding;
import static io.screenmesh.fusion.testing.Findings.notScreened;
import static io.screenmesh.fusion.testing.Findings.screened;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.DetectorOutcome;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.ItemError;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.common.v1.Verdict;
import io.screenmesh.fusion.v1.ModalityOutcome;
import io.screenmesh.fusion.v1.PartResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictFusionTest {

  private static final Policy POLICY = PolicyLoader.parse("test.yaml", """
      policies:
        test:
          severity-scores: {INFO: 0.0, LOW: 0.25, MEDIUM: 0.5, HIGH: 0.8, CRITICAL: 1.0}
          category-weights: {PII: 0.5, UNICODE_BIDI: 2.0}
          thresholds: {flag: 0.4, block: 0.75}
          actions:
            - {category: SECRET, action: FLAG}
            - {category: PROMPT_INJECTION, min-severity: HIGH, action: BLOCK}
            - {category: UNICODE_CONFUSABLE, action: ALLOW}
          unavailable: {audio: fail-open}
      """).get("test");

  @Test
  void noFindingsAllowWithScoreZero() {
    VerdictFusion.Fused f = VerdictFusion.fuse(POLICY, List.of(screened("p0", Modality.MODALITY_TEXT)));
    assertEquals(Decision.DECISION_ALLOW, f.verdict().getDecision());
    assertEquals(0f, f.verdict().getScore());
    assertTrue(f.verdict().getReasonsList().isEmpty());
  }

  @Test
  void scoreIsTheMaximumOfSeverityTimesWeightNotASum() {
    // Ten LOW findings (0.25 each) stay below the flag threshold of 0.4: the maximum does not accumulate.
    Finding low = finding(Category.CATEGORY_ENCODED_PAYLOAD, Severity.SEVERITY_LOW);
    Finding[] tenLow = new Finding[10];
    java.util.Arrays.fill(tenLow, low);
    VerdictFusion.Fused f = VerdictFusion.fuse(POLICY, List.of(screened("p0", Modality.MODALITY_TEXT, tenLow)));
    assertEquals(Decision.DECISION_ALLOW, f.verdict().getDecision());
    assertEquals(0.25f, f.verdict().getScore(), 1e-6);
  }

  @Test
  void thresholdsAndWeightsDecide() {
    // MEDIUM × 1.0 = 0.5: FLAG.
    assertDecision(Decision.DECISION_FLAG, 0.5, finding(Category.CATEGORY_JAILBREAK, Severity.SEVERITY_MEDIUM));
    // HIGH × 1.0 = 0.8: BLOCK.
    assertDecision(Decision.DECISION_BLOCK, 0.8, finding(Category.CATEGORY_JAILBREAK, Severity.SEVERITY_HIGH));
    // HIGH PII × 0.5 = 0.4: exactly the flag threshold, FLAG.
    assertDecision(Decision.DECISION_FLAG, 0.4, finding(Category.CATEGORY_PII, Severity.SEVERITY_HIGH));
    // MEDIUM PII × 0.5 = 0.25: ALLOW.
    assertDecision(Decision.DECISION_ALLOW, 0.25, finding(Category.CATEGORY_PII, Severity.SEVERITY_MEDIUM));
    // MEDIUM bidi × 2.0 = 1.0 (capped at 1): BLOCK.
    assertDecision(Decision.DECISION_BLOCK, 1.0, finding(Category.CATEGORY_UNICODE_BIDI, Severity.SEVERITY_MEDIUM));
  }

  @Test
  void forcedActionsOverrideTheThresholdsBothWays() {
    // A CRITICAL secret scores 1.0 but the rule says FLAG.
    assertDecision(Decision.DECISION_FLAG, 1.0, finding(Category.CATEGORY_SECRET, Severity.SEVERITY_CRITICAL));
    // A LOW secret scores 0.25 (ALLOW by threshold) but the rule still says FLAG.
    assertDecision(Decision.DECISION_FLAG, 0.25, finding(Category.CATEGORY_SECRET, Severity.SEVERITY_LOW));
    // PROMPT_INJECTION HIGH → BLOCK; MEDIUM is below the rule's min-severity and takes the threshold path.
    assertDecision(Decision.DECISION_BLOCK, 0.8, finding(Category.CATEGORY_PROMPT_INJECTION, Severity.SEVERITY_HIGH));
    assertDecision(Decision.DECISION_FLAG, 0.5, finding(Category.CATEGORY_PROMPT_INJECTION, Severity.SEVERITY_MEDIUM));
    // An ALLOW rule silences a category.
    assertDecision(Decision.DECISION_ALLOW, 0.8, finding(Category.CATEGORY_UNICODE_CONFUSABLE, Severity.SEVERITY_HIGH));
  }

  @Test
  void mostSevereFindingWinsAndOnlyItsPeersAreReasons() {
    Finding secret = finding(Category.CATEGORY_SECRET, Severity.SEVERITY_HIGH);
    Finding injection = finding(Category.CATEGORY_PROMPT_INJECTION, Severity.SEVERITY_CRITICAL);
    Finding pii = finding(Category.CATEGORY_PII, Severity.SEVERITY_LOW);
    VerdictFusion.Fused f = VerdictFusion.fuse(POLICY, List.of(
        screened("prompt", Modality.MODALITY_TEXT, secret, pii),
        screened("note", Modality.MODALITY_TEXT, injection)));
    assertEquals(Decision.DECISION_BLOCK, f.verdict().getDecision());
    assertEquals(1, f.verdict().getReasonsCount());
    assertEquals(Category.CATEGORY_PROMPT_INJECTION, f.verdict().getReasons(0).getCategory());
    assertEquals("note", f.verdict().getReasons(0).getPartId());
  }

  @Test
  void unavailableFailsClosedByDefault() {
    VerdictFusion.Fused f = VerdictFusion.fuse(POLICY, List.of(
        screened("p0", Modality.MODALITY_TEXT),
        notScreened("p1", Modality.MODALITY_IMAGE, ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE)));
    assertEquals(Decision.DECISION_BLOCK, f.verdict().getDecision());
    assertEquals(1f, f.verdict().getScore());
    Finding reason = f.verdict().getReasons(0);
    assertEquals(Category.CATEGORY_SCREENING_UNAVAILABLE, reason.getCategory());
    assertEquals(VerdictFusion.UNAVAILABLE_DETECTOR, reason.getDetector());
    assertEquals(Severity.SEVERITY_HIGH, reason.getSeverity());
    assertEquals("p1", reason.getPartId());
    assertEquals(List.of(reason), f.parts().get(1).getFindingsList(), "the finding is on the part too");
  }

  @Test
  void unavailableFailsOpenWhereThePolicySaysSo() {
    VerdictFusion.Fused f = VerdictFusion.fuse(POLICY, List.of(
        screened("p0", Modality.MODALITY_TEXT),
        notScreened("p1", Modality.MODALITY_AUDIO, ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE)));
    assertEquals(Decision.DECISION_ALLOW, f.verdict().getDecision());
    assertEquals(0f, f.verdict().getScore());
    assertEquals(1, f.verdict().getReasonsCount(), "the caller learns that the audio went unscreened");
    Finding notice = f.verdict().getReasons(0);
    assertEquals(Category.CATEGORY_SCREENING_UNAVAILABLE, notice.getCategory());
    assertEquals(Severity.SEVERITY_INFO, notice.getSeverity());
  }

  @Test
  void failOpenNoticeDoesNotHideARealFinding() {
    VerdictFusion.Fused f = VerdictFusion.fuse(POLICY, List.of(
        screened("p0", Modality.MODALITY_TEXT, finding(Category.CATEGORY_JAILBREAK, Severity.SEVERITY_MEDIUM)),
        notScreened("p1", Modality.MODALITY_AUDIO, ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE)));
    assertEquals(Decision.DECISION_FLAG, f.verdict().getDecision());
    assertEquals(List.of(Category.CATEGORY_JAILBREAK),
        f.verdict().getReasonsList().stream().map(Finding::getCategory).toList());
  }

  @Test
  void rejectedPartBlocksWithMalformedInputEvenWhenTheModalityFailsOpen() {
    PartResult rejected = notScreened("clip", Modality.MODALITY_AUDIO, ModalityOutcome.MODALITY_OUTCOME_REJECTED)
        .toBuilder().setError(io.screenmesh.common.v1.ItemError.newBuilder()
            .setCode(3).setReason("AUDIO_TOO_LONG").setMessage("too long")).build();
    VerdictFusion.Fused f = VerdictFusion.fuse(POLICY, List.of(rejected));
    assertEquals(Decision.DECISION_BLOCK, f.verdict().getDecision());
    Finding reason = f.verdict().getReasons(0);
    assertEquals(Category.CATEGORY_MALFORMED_INPUT, reason.getCategory());
    assertEquals(VerdictFusion.REJECTED_DETECTOR, reason.getDetector());
    assertTrue(reason.getMessage().contains("AUDIO_TOO_LONG"), reason.getMessage());
    assertEquals("AUDIO_TOO_LONG", f.parts().get(0).getError().getReason(), "the part keeps its error");
  }

  private static PartResult withDetector(PartResult p, String detector, DetectorOutcome outcome) {
    return p.toBuilder().setProcessing(ProcessingInfo.newBuilder()
        .addDetectors(DetectorRun.newBuilder().setDetector("text.rules").setRan(true)
            .setOutcome(DetectorOutcome.DETECTOR_OUTCOME_RAN))
        .addDetectors(DetectorRun.newBuilder().setDetector(detector).setOutcome(outcome))).build();
  }

  @Test
  void aFailedDetectorFailsClosedLikeAnUnavailablePart() {
    VerdictFusion.Fused f = VerdictFusion.fuse(POLICY, List.of(
        withDetector(screened("p0", Modality.MODALITY_TEXT), "text.embedding", DetectorOutcome.DETECTOR_OUTCOME_FAILED)));
    assertEquals(Decision.DECISION_BLOCK, f.verdict().getDecision());
    assertEquals(1f, f.verdict().getScore());
    Finding reason = f.verdict().getReasons(0);
    assertEquals(VerdictFusion.UNAVAILABLE_DETECTOR, reason.getDetector());
    assertEquals(Category.CATEGORY_SCREENING_UNAVAILABLE, reason.getCategory());
    assertEquals(Severity.SEVERITY_HIGH, reason.getSeverity());
    assertTrue(reason.getMessage().contains("text.embedding failed"), reason.getMessage());
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_SCREENED, f.parts().get(0).getOutcome(), "the outcome is the service's");
  }

  @Test
  void aTimedOutDetectorFailsClosedEvenWhereThePolicyFailsOpen() {
    // A slow input is not an outage: whoever sends one must not get it allowed unscreened.
    VerdictFusion.Fused f = VerdictFusion.fuse(POLICY, List.of(
        screened("p0", Modality.MODALITY_TEXT),
        withDetector(screened("clip", Modality.MODALITY_AUDIO), "audio.transcript", DetectorOutcome.DETECTOR_OUTCOME_TIMED_OUT)));
    assertEquals(Decision.DECISION_BLOCK, f.verdict().getDecision());
    Finding reason = f.verdict().getReasons(0);
    assertEquals(Severity.SEVERITY_HIGH, reason.getSeverity());
    assertEquals("clip", reason.getPartId());
    assertTrue(reason.getMessage().contains("audio.transcript timed out"), reason.getMessage());
  }

  // Red-team regressions: under availability-first (image and audio fail open, text fails
  // closed) an image with an injection in its metadata must never be allowed unscreened.

  private static final Policy AVAILABILITY_FIRST = PolicyLoader.loadBundled().get("availability-first");

  private static PartResult failedWith(String id, Modality modality, Status.Code code, String reason) {
    return notScreened(id, modality, ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE).toBuilder()
        .setError(ItemError.newBuilder().setCode(code.value()).setReason(reason).setMessage("scripted")).build();
  }

  private static Verdict imageFailedWith(Status.Code code, String reason) {
    return VerdictFusion.fuse(AVAILABILITY_FIRST, List.of(failedWith("photo", Modality.MODALITY_IMAGE, code, reason))).verdict();
  }

  @Test
  void anImageOutOfTimeIsNotAnOutage() {
    // (a) the caller's 10 ms deadline is shorter than the fusion margin; (b) a slow decode hits
    // the image budget: either way the image call ends DEADLINE_EXCEEDED.
    Verdict v = imageFailedWith(Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED");
    assertEquals(Decision.DECISION_BLOCK, v.getDecision());
    assertEquals(Severity.SEVERITY_HIGH, v.getReasons(0).getSeverity());
    assertTrue(v.getReasons(0).getMessage().endsWith("running out of time is not an outage, so it fails closed"),
        v.getReasons(0).getMessage());
    // An image service that is down still fails open under availability-first.
    Verdict down = imageFailedWith(Status.Code.UNAVAILABLE, "");
    assertEquals(Decision.DECISION_ALLOW, down.getDecision());
    assertEquals(Severity.SEVERITY_INFO, down.getReasons(0).getSeverity());
  }

  @Test
  void unscreenedMetadataTextFollowsTheTextRule() {
    // (c) text-screening is down: the image service answers, its metadata-text detector failed.
    PartResult image = screened("photo", Modality.MODALITY_IMAGE).toBuilder()
        .setProcessing(ProcessingInfo.newBuilder().addDetectors(DetectorRun.newBuilder()
            .setDetector("image.metadata-text").setOutcome(DetectorOutcome.DETECTOR_OUTCOME_FAILED)
            .setReason("TEXT_SCREENING_UNAVAILABLE: text screening is unreachable (error id 1)")))
        .build();
    VerdictFusion.Fused f = VerdictFusion.fuse(AVAILABILITY_FIRST, List.of(image));
    assertEquals(Decision.DECISION_BLOCK, f.verdict().getDecision());

    // The whole image call refused for the same reason.
    assertEquals(Decision.DECISION_BLOCK, imageFailedWith(Status.Code.UNAVAILABLE, "TEXT_SCREENING_UNAVAILABLE").getDecision());

    // Only the service's finding says so (the engine's notice quotes the reason).
    Finding notice = finding(Category.CATEGORY_SCREENING_UNAVAILABLE, Severity.SEVERITY_HIGH).toBuilder()
        .setMessage("detector audio.metadata-text failed (TEXT_SCREENING_DEADLINE_EXCEEDED: late): the input was not fully screened")
        .build();
    VerdictFusion.Fused clip = VerdictFusion.fuse(AVAILABILITY_FIRST, List.of(screened("clip", Modality.MODALITY_AUDIO, notice)));
    assertEquals(Decision.DECISION_BLOCK, clip.verdict().getDecision());
  }

  @Test
  void derivedTextFailsOpenOnlyWhereTextFailsOpenToo() {
    Policy allOpen = PolicyLoader.parse("open.yaml", """
        policies:
          open:
            thresholds: {flag: 0.4, block: 0.75}
            unavailable: {text: fail-open, image: fail-open, audio: fail-open}
        """).get("open");
    VerdictFusion.Fused f = VerdictFusion.fuse(allOpen, List.of(
        failedWith("photo", Modality.MODALITY_IMAGE, Status.Code.UNAVAILABLE, "TEXT_SCREENING_UNAVAILABLE")));
    assertEquals(Decision.DECISION_ALLOW, f.verdict().getDecision());
  }

  @Test
  void skippedDetectorsAreNotFailures() {
    VerdictFusion.Fused f = VerdictFusion.fuse(POLICY, List.of(
        withDetector(screened("p0", Modality.MODALITY_TEXT), "text.embedding", DetectorOutcome.DETECTOR_OUTCOME_SKIPPED)));
    assertEquals(Decision.DECISION_ALLOW, f.verdict().getDecision());
    assertTrue(f.verdict().getReasonsList().isEmpty());
    assertEquals(0, f.parts().get(0).getFindingsCount());
  }

  @Test
  void aServicesOwnUnavailableFindingFollowsTheFailRuleNotTheWeights() {
    // INFO severity scores 0 under the weights and would ALLOW: text fails closed, so it BLOCKs.
    Finding partial = finding(Category.CATEGORY_SCREENING_UNAVAILABLE, Severity.SEVERITY_INFO);
    VerdictFusion.Fused closed = VerdictFusion.fuse(POLICY, List.of(screened("p0", Modality.MODALITY_TEXT, partial)));
    assertEquals(Decision.DECISION_BLOCK, closed.verdict().getDecision());
    assertEquals(List.of(VerdictFusion.UNAVAILABLE_DETECTOR),
        closed.verdict().getReasonsList().stream().map(Finding::getDetector).toList());
    assertEquals(2, closed.parts().get(0).getFindingsCount(), "the service's finding stays on the part");

    // HIGH severity would BLOCK under the weights: audio fails open, so it is a notice.
    Finding loud = finding(Category.CATEGORY_SCREENING_UNAVAILABLE, Severity.SEVERITY_HIGH);
    VerdictFusion.Fused open = VerdictFusion.fuse(POLICY, List.of(screened("clip", Modality.MODALITY_AUDIO, loud)));
    assertEquals(Decision.DECISION_ALLOW, open.verdict().getDecision());
    assertEquals(Severity.SEVERITY_INFO, open.verdict().getReasons(0).getSeverity());
  }

  @Test
  void crossModalFindingIsScoredByThePolicy() {
    Policy bundled = PolicyLoader.loadBundled().get("default");
    VerdictFusion.Fused f = VerdictFusion.fuse(bundled, List.of(
        screened("prompt", Modality.MODALITY_TEXT),
        screened("photo", Modality.MODALITY_IMAGE, finding(Category.CATEGORY_PROMPT_INJECTION, Severity.SEVERITY_MEDIUM))));
    // The MEDIUM injection alone would only FLAG; arriving through the image with a clean prompt, it BLOCKs.
    assertEquals(Decision.DECISION_BLOCK, f.verdict().getDecision());
    assertEquals(List.of(Category.CATEGORY_CROSS_MODAL_INJECTION),
        f.verdict().getReasonsList().stream().map(Finding::getCategory).toList());
    assertEquals(2, f.parts().get(1).getFindingsCount());
  }

  private static void assertDecision(Decision expected, double score, Finding finding) {
    VerdictFusion.Fused f = VerdictFusion.fuse(POLICY, List.of(screened("p0", Modality.MODALITY_TEXT, finding)));
    assertEquals(expected, f.verdict().getDecision(), finding.getCategory() + "/" + finding.getSeverity());
    assertEquals(score, f.verdict().getScore(), 1e-6, finding.getCategory() + "/" + finding.getSeverity());
    if (expected != Decision.DECISION_ALLOW) {
      assertEquals(finding.getCategory(), f.verdict().getReasons(0).getCategory());
    }
  }
}
