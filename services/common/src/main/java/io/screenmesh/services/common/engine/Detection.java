package io.screenmesh.services.common.engine;

import io.screenmesh.common.v1.Finding;
import java.util.List;

/**
 * What one detector made of one input: its findings, or that it did not apply.
 *
 * @param findings the findings, empty when there were none
 * @param skippedReason why the detector did not apply to this input (no metadata text, a clip
 *     too short); null when it ran
 */
public record Detection(List<Finding> findings, String skippedReason) {

  /** Ran and found nothing. */
  public static final Detection NOTHING = new Detection(List.of(), null);

  /** Normalizes the findings list. */
  public Detection {
    findings = List.copyOf(findings);
  }

  /** Ran and found {@code findings}. */
  public static Detection of(List<Finding> findings) {
    return findings.isEmpty() ? NOTHING : new Detection(findings, null);
  }

  /** Ran and found one thing. */
  public static Detection of(Finding finding) {
    return new Detection(List.of(finding), null);
  }

  /** Did not apply to this input, for {@code reason}. */
  public static Detection skipped(String reason) {
    return new Detection(List.of(), reason);
  }

  /** True when the detector ran on the input. */
  public boolean ran() {
    return skippedReason == null;
  }
}
