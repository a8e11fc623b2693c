package io.screenmesh.services.common.engine;

import io.screenmesh.common.v1.Finding;
import java.util.List;

/**
 * What one detector made of one input: its findings, that it did not apply, or that it failed
 * on this input alone (the other inputs of the batch went fine).
 *
 * @param findings the findings, empty when there were none
 * @param skippedReason why the detector did not apply to this input (no metadata text, a clip
 *     too short); null when it ran
 * @param failedReason why the detector could not finish this input (a peer refused its derived
 *     text); null unless it failed. The engine reports the detector FAILED on the input, which
 *     then counts as not fully screened.
 */
public record Detection(List<Finding> findings, String skippedReason, String failedReason) {

  /** Ran and found nothing. */
  public static final Detection NOTHING = new Detection(List.of(), null, null);

  /** Normalizes the findings list. */
  public Detection {
    findings = List.copyOf(findings);
  }

  /** Ran (or skipped, when {@code skippedReason} is not null) with {@code findings}. */
  public Detection(List<Finding> findings, String skippedReason) {
    this(findings, skippedReason, null);
  }

  /**
   * Failed on this input for {@code reason} (safe to send to a caller: no content, no internals),
   * keeping what it found before failing.
   */
  public static Detection failed(List<Finding> partial, String reason) {
    return new Detection(partial, null, reason);
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

  /** True when the detector ran on the input to the end. */
  public boolean ran() {
    return skippedReason == null && failedReason == null;
  }
}
