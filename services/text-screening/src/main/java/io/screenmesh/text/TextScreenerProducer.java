package io.screenmesh.text;

import io.screenmesh.common.v1.Modality;
import io.screenmesh.services.common.ComputeBackend;
import io.screenmesh.services.common.engine.DetectorRegistry;
import io.screenmesh.services.common.engine.DynamicBatcher;
import io.screenmesh.services.common.engine.EngineCalls;
import io.screenmesh.services.common.engine.EngineSettings;
import io.screenmesh.text.screen.PreparedText;
import io.screenmesh.text.screen.ScreeningSettings;
import io.screenmesh.text.screen.TextAnalyzer;
import io.screenmesh.text.screen.TextDetector;
import io.screenmesh.text.screen.TextScreener;
import io.screenmesh.text.unicode.Confusables;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.Config;

/**
 * Builds text-screening's engine from configuration: the analyzer the detectors share, the
 * registry of every {@link TextDetector} bean, the {@link TextScreener} and the batcher in front
 * of it (keys under {@code screenmesh.text.batch} and {@code screenmesh.text.detectors}, see
 * {@link EngineSettings}).
 */
@ApplicationScoped
public class TextScreenerProducer {

  /**
   * Text is screened as soon as a worker is free (no wait for company: a lone call must stay
   * fast), so batches form from what queued while both workers were busy.
   */
  static final EngineSettings.Defaults DEFAULTS = new EngineSettings.Defaults(32, Duration.ZERO,
      1024 * Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors(), 64,
      Duration.ofSeconds(5));

  @Produces
  @Singleton
  ScreeningSettings settings(TextScreeningConfig config) {
    return new ScreeningSettings(config.maxTextLength(), config.maxIdLength(),
        config.decode().maxDepth(), config.decode().maxPayloads(), config.decode().maxChars(),
        config.decode().minBase64Length(), config.verdict().flagThreshold(),
        config.verdict().blockThreshold(), config.verdict().blockOnCritical());
  }

  @Produces
  @Singleton
  TextAnalyzer analyzer(ScreeningSettings settings) {
    return TextScreener.analyzer(settings, new Confusables());
  }

  @Produces
  @Singleton
  EngineSettings engineSettings(Config config, @Any Instance<TextDetector> detectors) {
    List<String> ids = detectors.stream().map(TextDetector::id).toList();
    return EngineSettings.read(config, "screenmesh.text", ids, DEFAULTS);
  }

  @Produces
  @Singleton
  TextScreener screener(ScreeningSettings settings, TextAnalyzer analyzer, TextScreeningConfig config,
      EngineSettings engine, @Any Instance<TextDetector> detectors, ComputeBackend backend) {
    // Text detectors are microseconds of pure CPU each: they run one after another on the batch's
    // thread, since a thread per detector would cost more latency than it saves on two cores.
    var registry = new DetectorRegistry<PreparedText>(Modality.MODALITY_TEXT, detectors.stream().toList(),
        engine.detectors(), engine.fallback(), true);
    return new TextScreener(settings, analyzer, registry, backend.proto(), config.maxOutputChars());
  }

  @Produces
  @Singleton
  DynamicBatcher<ScreenTextRequest, ScreenTextResponse> batcher(TextScreener screener, EngineSettings engine) {
    return new DynamicBatcher<>("text", engine.batcher(), screener::handle);
  }

  void close(@Disposes DynamicBatcher<ScreenTextRequest, ScreenTextResponse> batcher) {
    batcher.close();
  }

  @Produces
  @Singleton
  EngineCalls<ScreenTextRequest, ScreenTextResponse> calls(DynamicBatcher<ScreenTextRequest, ScreenTextResponse> batcher,
      EngineSettings engine) {
    return new EngineCalls<>(batcher, engine.streamWindow());
  }
}
