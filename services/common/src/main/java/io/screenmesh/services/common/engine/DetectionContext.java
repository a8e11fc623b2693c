package io.screenmesh.services.common.engine;

import io.grpc.Deadline;
import java.util.function.BooleanSupplier;

/**
 * What a detector may know about the batch it runs on.
 *
 * @param deadline the earliest deadline among the batch's calls, or null when none set one;
 *     calls to peers end by it
 * @param cancelled true once every call of the batch has ended (cancelled or expired), so
 *     long work can stop early
 */
public record DetectionContext(Deadline deadline, BooleanSupplier cancelled) {

  /** A context without deadline that is never cancelled; for tools and tests. */
  public static final DetectionContext NONE = new DetectionContext(null, () -> false);

  /** True once nobody waits for the batch any more. */
  public boolean isCancelled() {
    return cancelled.getAsBoolean() || (deadline != null && deadline.isExpired());
  }
}
