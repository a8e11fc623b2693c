package io.screenmesh.text.screen;

import io.screenmesh.services.common.engine.Detection;
import io.screenmesh.services.common.engine.DetectionContext;
import io.screenmesh.services.common.engine.Detector;
import java.util.ArrayList;
import java.util.List;

/**
 * A text detector: a CDI bean of this type is registered with text-screening's engine and
 * enabled by {@code screenmesh.text.detectors.<name>.enabled} (the id without {@code text.}).
 * Findings point into the caller's original text.
 */
public interface TextDetector extends Detector<PreparedText> {

  /**
   * For detectors that look at one text at a time: the hits of {@code text}, in original UTF-16
   * offsets.
   */
  default List<Hit> hits(PreparedText text) {
    throw new UnsupportedOperationException(id() + " analyses whole batches");
  }

  /** Runs {@link #hits} over the batch and turns the hits into findings. */
  @Override
  default List<Detection> detect(List<PreparedText> batch, DetectionContext context) {
    List<Detection> out = new ArrayList<>(batch.size());
    for (PreparedText t : batch) {
      if (context.isCancelled()) {
        throw new IllegalStateException("the batch was cancelled");
      }
      List<Hit> hits = hits(t);
      out.add(Detection.of(hits.stream().map(h -> Hits.toFinding(h, t.codePointPrefix())).toList()));
    }
    return out;
  }
}
