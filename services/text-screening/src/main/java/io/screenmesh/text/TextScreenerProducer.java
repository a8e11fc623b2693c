package io.screenmesh.text;

import io.screenmesh.common.v1.Modality;
import io.screenmesh.services.common.ComputeBackend;
import io.screenmesh.services.common.engine.DetectorRegistry;
import io.screenmesh.services.common.engine.DynamicBatcher;
import io.screenmesh.services.common.engine.EngineCalls;
import io.screenmesh.services.common.engine.EngineSettings;
import io.screenmesh.text.embed.Embedder;
import io.screenmesh.text.known.KnownAttackDetector;
import io.screenmesh.text.known.KnownAttacks;
import io.screenmesh.text.screen.PreparedText;
import io.screenmesh.text.screen.ScreeningSettings;
import io.screenmesh.text.screen.TextAnalyzer;
import io.screenmesh.text.screen.TextDetector;
import io.screenmesh.text.screen.TextEmbeddings;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Builds text-screening's engine from configuration: the analyzer the detectors share, the
 * registry of every {@link TextDetector} bean, the {@link TextScreener} and the batcher in front
 * of it (keys under {@code screenmesh.text.batch} and {@code screenmesh.text.detectors}, see
 * {@link EngineSettings}).
 */
@ApplicationScoped
public class TextScreenerProducer {

  private static final Logger LOG = Logger.getLogger(TextScreenerProducer.class);

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
  TextEmbeddings embeddings(TextScreeningConfig config) {
    if (!config.embeddings().enabled()) {
      return TextEmbeddings.unavailable("embeddings are disabled (screenmesh.text.embeddings.enabled=false)");
    }
    Embedder.Options defaults = Embedder.Options.defaults(config.embeddings().threads());
    TextEmbeddings e = TextEmbeddings.load(new Embedder.Options(defaults.intraOpThreads(), defaults.windowTokens(),
        defaults.overlapTokens(), config.embeddings().maxWindows(), defaults.maxBatchWindows()));
    if (e.embedder() == null) {
      LOG.errorf("text embeddings are unavailable: %s", e.availability().reason());
    } else {
      LOG.infof("text embeddings: all-MiniLM-L6-v2 int8, sha256 %s, %d threads", e.embedder().modelSha256(),
          config.embeddings().threads());
    }
    return e;
  }

  void close(@Disposes TextEmbeddings embeddings) {
    embeddings.close();
  }

  @Produces
  @Singleton
  KnownAttacks knownAttacks(TextEmbeddings embeddings, TextScreeningConfig config, ComputeBackend backend) {
    if (embeddings.embedder() == null) {
      return KnownAttacks.unavailable(embeddings.availability().reason());
    }
    var c = config.knownAttacks();
    List<Path> files = c.files().orElse(List.of()).stream().filter(f -> !f.isBlank()).map(Path::of).toList();
    return KnownAttacks.start(embeddings.embedder(), backend.similarity(),
        new KnownAttacks.Settings(c.bundled(), files, c.reloadInterval()));
  }

  void close(@Disposes KnownAttacks attacks) {
    attacks.close();
  }

  @Produces
  @Singleton
  KnownAttackDetector knownAttackDetector(KnownAttacks attacks, TextScreeningConfig config) {
    return new KnownAttackDetector(attacks, config.knownAttacks().threshold(), config.knownAttacks().topK());
  }

  @Produces
  @Singleton
  TextScreener screener(ScreeningSettings settings, TextAnalyzer analyzer, TextScreeningConfig config,
      EngineSettings engine, @Any Instance<TextDetector> detectors, ComputeBackend backend, TextEmbeddings embeddings) {
    // Text detectors are microseconds of pure CPU each: they run one after another on the batch's
    // thread, since a thread per detector would cost more latency than it saves on two cores.
    var registry = new DetectorRegistry<PreparedText>(Modality.MODALITY_TEXT, detectors.stream().toList(),
        engine.detectors(), engine.fallback(), true);
    return new TextScreener(settings, analyzer, registry, backend.proto(), config.maxOutputChars(), embeddings);
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
