package io.screenmesh.audio;

import io.quarkus.runtime.StartupEvent;
import io.screenmesh.audio.v1.AudioScreeningServiceGrpc;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.audio.v1.ScreenAudioResponse;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.services.common.ComputeBackend;
import io.screenmesh.services.common.Readiness;
import io.screenmesh.services.common.engine.DetectorRegistry;
import io.screenmesh.services.common.engine.DynamicBatcher;
import io.screenmesh.services.common.engine.EngineCalls;
import io.screenmesh.services.common.engine.EngineSettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Builds the audio engine from configuration: the registry of every {@link AudioDetector} bean,
 * the engine on the service's compute backend, its {@link DynamicBatcher} and the gRPC adapter.
 * At start-up the service says NOT_SERVING, warms the engine up with a few batches of a
 * generated clip, then says SERVING. The batcher closes at shutdown, answering what still waits
 * with UNAVAILABLE.
 *
 * <p>Batch keys (defaults): {@code screenmesh.audio.batch.max-size} (8),
 * {@code max-delay} (2ms), {@code queue-capacity} (16 — clips may be 50 MiB each),
 * {@code concurrency} (2), {@code stream-window} (8); per detector
 * {@code screenmesh.audio.detectors.<id>.enabled} (true) and {@code timeout} (5s).
 */
@ApplicationScoped
public class AudioEngineProducer {

  /** The full gRPC service name, as the health service reports it. */
  public static final String SERVICE_NAME = AudioScreeningServiceGrpc.SERVICE_NAME;

  static final EngineSettings.Defaults DEFAULTS =
      new EngineSettings.Defaults(8, Duration.ofMillis(2), 16, 2, 8, Duration.ofSeconds(5));

  private static final Logger LOG = Logger.getLogger(AudioEngineProducer.class);
  private static final int WARM_UP_BATCHES = 3;
  private static final int WARM_UP_CLIPS = 2;

  private final ComputeBackend backend;
  private final Readiness readiness;
  private final AudioEngine engine;
  private final DynamicBatcher<ScreenAudioRequest, ScreenAudioResponse> batcher;
  private final EngineCalls<ScreenAudioRequest, ScreenAudioResponse> calls;

  /** Builds the engine, its batcher and its adapter. */
  public AudioEngineProducer(AudioConfig config, Config raw, ComputeBackend backend,
      @Any Instance<AudioDetector> detectors, Readiness readiness) {
    this.backend = backend;
    this.readiness = readiness;
    List<AudioDetector> all = new ArrayList<>();
    detectors.forEach(all::add);
    EngineSettings settings = EngineSettings.read(raw, "screenmesh.audio",
        all.stream().map(AudioDetector::id).toList(), DEFAULTS);
    DetectorRegistry<PreparedAudio> registry =
        new DetectorRegistry<>(Modality.MODALITY_AUDIO, all, settings.detectors(), settings.fallback());
    this.engine = new AudioEngine(new AudioDecoders(config.limits(), config.maxDecodedSamples()), registry, settings.verdict(),
        backend.spectral(), config.denoising());
    this.batcher = new DynamicBatcher<>("audio", settings.batcher(), engine::handle);
    this.calls = new EngineCalls<>(batcher, settings.streamWindow());
  }

  /** The engine. */
  @Produces
  @Singleton
  AudioEngine engine() {
    return engine;
  }

  /** The gRPC adapter over the engine's batcher. */
  @Produces
  @Singleton
  EngineCalls<ScreenAudioRequest, ScreenAudioResponse> calls() {
    return calls;
  }

  void start(@Observes StartupEvent event) {
    LOG.infof("audio engine on the %s backend; detectors %s", backend.provider().backend().id(),
        engine.registry().activeIds());
    readiness.warmUp(SERVICE_NAME, () -> {
      List<ScreenAudioRequest> batch = new ArrayList<>();
      for (int i = 0; i < WARM_UP_CLIPS; i++) {
        batch.add(WarmUpClip.request("warm-up-" + i));
      }
      for (int b = 0; b < WARM_UP_BATCHES; b++) {
        for (AudioEngine.Answer a : engine.screenAll(batch)) {
          if (a.failure() != null) {
            throw new IllegalStateException("a warm-up clip failed", a.failure());
          }
        }
      }
    });
  }

  @PreDestroy
  void close() {
    batcher.close();
  }
}
