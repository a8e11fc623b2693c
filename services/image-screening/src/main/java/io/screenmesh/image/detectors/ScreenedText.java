package io.screenmesh.image.detectors;

import io.screenmesh.common.v1.Finding;
import io.screenmesh.services.common.ScreeningException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;

/** Waits for text-screening's answer on the text a detector derived from one image. */
final class ScreenedText {

  private ScreenedText() {}

  /**
   * Adds the findings of {@code call}, each passed through {@code map}, to {@code findings}.
   *
   * @return null when text-screening answered, otherwise why the text went unscreened
   *     (text-screening's reason and message), for {@code Detection.failed}
   * @throws IllegalStateException when the call failed other than by a {@link ScreeningException}
   */
  static String collect(CompletableFuture<List<Finding>> call, UnaryOperator<Finding> map, List<Finding> findings)
      throws InterruptedException {
    try {
      for (Finding f : call.get()) {
        findings.add(map.apply(f));
      }
      return null;
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof ScreeningException se)) {
        throw new IllegalStateException("screening derived text failed", e.getCause());
      }
      return se.reason() + ": " + se.getMessage();
    }
  }
}
