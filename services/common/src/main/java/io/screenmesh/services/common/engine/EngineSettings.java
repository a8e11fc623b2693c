package io.screenmesh.services.common.engine;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.Config;

/**
 * Reads an engine's batching and detector configuration under one prefix, the same way for
 * every modality (shown for {@code screenmesh.image}):
 *
 * <pre>
 * screenmesh.image.batch.max-size=8            # requests in one batch
 * screenmesh.image.batch.max-delay=1ms         # wait after the first request for more
 * screenmesh.image.batch.queue-capacity=256    # waiting requests before SERVER_BUSY
 * screenmesh.image.batch.concurrency=2         # batches in progress at once
 * screenmesh.image.batch.stream-window=32      # requests of one stream in the batcher
 * screenmesh.image.detectors.metadata-text.enabled=true
 * screenmesh.image.detectors.metadata-text.timeout=2s
 * screenmesh.image.verdict.flag-threshold=0.5   # the ModalityVerdict thresholds
 * screenmesh.image.verdict.block-threshold=0.85
 * screenmesh.image.verdict.block-on-critical=true
 * </pre>
 *
 * A detector's key is its id without the modality prefix ({@code image.metadata-text} →
 * {@code metadata-text}).
 *
 * @param batcher the batcher settings
 * @param streamWindow requests of one stream in the batcher at once
 * @param detectors settings per detector id
 * @param fallback settings of a detector without keys of its own
 * @param verdict the modality's verdict rule
 */
public record EngineSettings(DynamicBatcher.Settings batcher, int streamWindow,
    Map<String, DetectorRegistry.Settings> detectors, DetectorRegistry.Settings fallback, ModalityVerdict verdict) {

  /** Defaults when a key is absent. */
  public record Defaults(int maxBatch, Duration maxDelay, int queueCapacity, int concurrency, int streamWindow,
      Duration detectorTimeout) {}

  /**
   * Reads the settings.
   *
   * @param config the application's configuration
   * @param prefix such as {@code screenmesh.image}
   * @param detectorIds the ids of the registered detectors
   * @param defaults values for absent keys
   * @throws IllegalArgumentException for values out of range, naming the key
   */
  public static EngineSettings read(Config config, String prefix, List<String> detectorIds, Defaults defaults) {
    String b = prefix + ".batch.";
    DynamicBatcher.Settings batcher = new DynamicBatcher.Settings(
        config.getOptionalValue(b + "max-size", Integer.class).orElse(defaults.maxBatch()),
        config.getOptionalValue(b + "max-delay", Duration.class).orElse(defaults.maxDelay()),
        config.getOptionalValue(b + "queue-capacity", Integer.class).orElse(defaults.queueCapacity()),
        config.getOptionalValue(b + "concurrency", Integer.class).orElse(defaults.concurrency()));
    int window = config.getOptionalValue(b + "stream-window", Integer.class).orElse(defaults.streamWindow());
    if (window < 1) {
      throw new IllegalArgumentException(b + "stream-window must be at least 1, got " + window);
    }
    Map<String, DetectorRegistry.Settings> detectors = new HashMap<>();
    for (String id : detectorIds) {
      String key = prefix + ".detectors." + id.substring(id.indexOf('.') + 1) + ".";
      boolean enabled = config.getOptionalValue(key + "enabled", Boolean.class).orElse(true);
      Duration timeout = config.getOptionalValue(key + "timeout", Duration.class).orElse(defaults.detectorTimeout());
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException(key + "timeout must be positive, got " + timeout);
      }
      detectors.put(id, new DetectorRegistry.Settings(enabled, timeout));
    }
    String v = prefix + ".verdict.";
    ModalityVerdict d = ModalityVerdict.DEFAULT;
    ModalityVerdict verdict = new ModalityVerdict(
        config.getOptionalValue(v + "flag-threshold", Double.class).orElse(d.flag()),
        config.getOptionalValue(v + "block-threshold", Double.class).orElse(d.block()),
        config.getOptionalValue(v + "block-on-critical", Boolean.class).orElse(d.blockOnCritical()));
    return new EngineSettings(batcher, window, detectors, DetectorRegistry.Settings.enabled(defaults.detectorTimeout()),
        verdict);
  }
}
