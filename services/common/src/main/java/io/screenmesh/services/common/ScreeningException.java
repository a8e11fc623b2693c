package io.screenmesh.services.common;

import io.grpc.Status;

/**
 * A failure that the caller should see with a specific gRPC status and a machine-readable
 * reason. Thrown by decoders, limit checks and peers; mapped to a status in one place,
 * {@link GrpcErrors}.
 */
public final class ScreeningException extends RuntimeException {

  private final Status.Code code;
  private final String reason;

  /**
   * Creates an exception.
   *
   * @param code the gRPC status code the caller sees
   * @param reason an UPPER_SNAKE reason for the {@code ErrorInfo}, such as {@code IMAGE_TOO_LARGE}
   * @param message a sentence for a human reader; it is sent to the caller, so it must not
   *     contain the caller's content or internal details
   */
  public ScreeningException(Status.Code code, String reason, String message) {
    super(message);
    this.code = code;
    this.reason = reason;
  }

  /** Input that can never be screened as sent: INVALID_ARGUMENT. */
  public static ScreeningException invalid(String reason, String message) {
    return new ScreeningException(Status.Code.INVALID_ARGUMENT, reason, message);
  }

  /** Input over a configured limit: RESOURCE_EXHAUSTED. */
  public static ScreeningException tooLarge(String reason, String message) {
    return new ScreeningException(Status.Code.RESOURCE_EXHAUSTED, reason, message);
  }

  /** A peer or backend that cannot answer now: UNAVAILABLE. */
  public static ScreeningException unavailable(String reason, String message) {
    return new ScreeningException(Status.Code.UNAVAILABLE, reason, message);
  }

  /** The gRPC status code. */
  public Status.Code code() {
    return code;
  }

  /** The UPPER_SNAKE reason. */
  public String reason() {
    return reason;
  }
}
