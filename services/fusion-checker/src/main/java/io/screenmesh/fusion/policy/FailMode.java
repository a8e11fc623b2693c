package io.screenmesh.fusion.policy;

/**
 * What a policy does with a part whose modality service could not screen it (down, timed
 * out, failing).
 */
public enum FailMode {
  /** The item is blocked: nothing unscreened gets through. The default for every modality. */
  CLOSED,
  /** The part counts as screened-clean; the verdict carries an INFO finding saying it was not. */
  OPEN
}
