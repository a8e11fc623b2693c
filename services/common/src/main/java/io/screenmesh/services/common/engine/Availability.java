package io.screenmesh.services.common.engine;

/**
 * Whether a detector can run in this process.
 *
 * @param available true when it can
 * @param reason why it cannot (a model, library or peer missing); empty when available
 */
public record Availability(boolean available, String reason) {

  /** Available. */
  public static final Availability AVAILABLE = new Availability(true, "");

  /** Not available, for {@code reason}. */
  public static Availability unavailable(String reason) {
    return new Availability(false, reason);
  }
}
