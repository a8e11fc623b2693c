package io.screenmesh.image;

import com.google.protobuf.UnsafeByteOperations;
import io.quarkus.runtime.StartupEvent;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.image.metadata.MetadataExtractor;
import io.screenmesh.image.v1.ImageScreeningServiceGrpc;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.services.common.ComputeBackend;
import io.screenmesh.services.common.Readiness;
import io.screenmesh.services.common.engine.DetectorRegistry;
import io.screenmesh.services.common.engine.DynamicBatcher;
import io.screenmesh.services.common.engine.EngineCalls;
import io.screenmesh.services.common.engine.EngineSettings;
import io.screenmesh.services.common.engine.ModalityVerdict;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Builds the image engine from configuration and the detector beans, with its dynamic batcher
 * and gRPC adapter; warms it up at start-up and only then reports the service SERVING.
 *
 * <p>Keys read here besides {@link ImageConfig} (defaults in application.properties):
 * {@code screenmesh.image.squeeze.bit-depth}, {@code screenmesh.image.squeeze.median},
 * {@code screenmesh.image.sanitize}, {@code screenmesh.image.verdict.*}, and the batch and
 * detector keys of {@link EngineSettings}.
 */
@ApplicationScoped
public class ImageEngineProducer {

  /** The full gRPC service name, as the health service reports it. */
  public static final String SERVICE_NAME = ImageScreeningServiceGrpc.SERVICE_NAME;

  private static final Logger LOG = Logger.getLogger(ImageEngineProducer.class);
  private static final String PREFIX = "screenmesh.image";

  /**
   * Image requests are large (up to the byte limit each), so fewer wait than for text; a batch
   * decodes its images concurrently, so two batches at once keep the cores busy.
   */
  private static final EngineSettings.Defaults DEFAULTS =
      new EngineSettings.Defaults(8, Duration.ofMillis(2), 64, 2, 16, Duration.ofSeconds(3));

  private static final int WARM_UP_ROUNDS = 3;
  private static final int WARM_UP_SIDE = 224;

  private final ImageEngine engine;
  private final DynamicBatcher<ScreenImageRequest, ScreenImageResponse> batcher;
  private final EngineCalls<ScreenImageRequest, ScreenImageResponse> calls;

  /**
   * Builds the engine.
   *
   * @throws IllegalArgumentException when a key holds a value out of range, naming the key
   */
  public ImageEngineProducer(ImageConfig config, Config raw, ComputeBackend backend,
      @Any Instance<ImageDetector> detectors) {
    List<ImageDetector> all = new ArrayList<>();
    detectors.forEach(all::add);
    EngineSettings settings = EngineSettings.read(raw, PREFIX, all.stream().map(ImageDetector::id).toList(), DEFAULTS);
    DetectorRegistry<PreparedImage> registry =
        new DetectorRegistry<>(Modality.MODALITY_IMAGE, all, settings.detectors(), settings.fallback());
    ImageSqueeze.Settings squeeze = new ImageSqueeze.Settings(
        raw.getOptionalValue(PREFIX + ".squeeze.bit-depth", Integer.class).orElse(ImageSqueeze.Settings.DEFAULTS.bitDepth()),
        raw.getOptionalValue(PREFIX + ".squeeze.median", Integer.class).orElse(ImageSqueeze.Settings.DEFAULTS.median()));
    ImageEngine.Options options = new ImageEngine.Options(sanitize(raw), settings.verdict());
    this.engine = new ImageEngine(new SafeImageDecoder(config.limits(), DecodeBudget.from(config)),
        new MetadataExtractor(config.metadata().maxTexts(), config.metadata().maxTextChars(),
            config.metadata().maxInflatedBytes()),
        registry, new ImageSqueeze(backend.squeeze(), squeeze), backend.proto(), options);
    this.batcher = new DynamicBatcher<>("image", settings.batcher(), engine::handle);
    this.calls = new EngineCalls<>(batcher, settings.streamWindow());
    LOG.infof("image engine: backend %s, squeeze bit depth %d, median %d, sanitize %s, detectors %s, %s",
        backend.provider().backend().id(), squeeze.bitDepth(), squeeze.median(), options.sanitize().name().toLowerCase(Locale.ROOT),
        registry.activeIds(), settings.batcher());
  }

  private static ImageEngine.Sanitize sanitize(Config raw) {
    String key = PREFIX + ".sanitize";
    String v = raw.getOptionalValue(key, String.class).orElse("squeeze");
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "squeeze" -> ImageEngine.Sanitize.SQUEEZE;
      case "strip" -> ImageEngine.Sanitize.STRIP;
      default -> throw new IllegalArgumentException(key + " must be squeeze or strip, got " + v);
    };
  }

  /** The engine. */
  @Produces
  @Singleton
  ImageEngine engine() {
    return engine;
  }

  /** The gRPC adapter over the engine's batcher. */
  @Produces
  @Singleton
  EngineCalls<ScreenImageRequest, ScreenImageResponse> calls() {
    return calls;
  }

  /**
   * Marks the service NOT_SERVING, then warms the engine up off the start-up thread (a few
   * batches of a generated 224×224 PNG without metadata, so no peer is called and the squeeze,
   * decode and encode paths are compiled) and marks it SERVING. A warm-up that fails leaves the
   * service NOT_SERVING: it could not screen a plain image.
   */
  void warmUp(@Observes StartupEvent started, Readiness readiness) {
    int batch = Math.min(4, batcher.settings().maxBatch());
    ScreenImageRequest request = ScreenImageRequest.newBuilder()
        .setId("warm-up")
        .setData(UnsafeByteOperations.unsafeWrap(warmUpPng()))
        .build();
    readiness.warmUp(SERVICE_NAME, () -> {
      for (int round = 0; round < WARM_UP_ROUNDS; round++) {
        engine.screen(Collections.nCopies(batch, request));
      }
    });
  }

  /** A 224×224 RGB PNG with gradients and texture, and no metadata. */
  static byte[] warmUpPng() {
    int s = WARM_UP_SIDE;
    byte[] px = new byte[s * s * 3];
    int o = 0;
    for (int y = 0; y < s; y++) {
      for (int x = 0; x < s; x++) {
        px[o++] = (byte) x;
        px[o++] = (byte) y;
        px[o++] = (byte) ((x * 31 + y * 17) ^ (x * y));
      }
    }
    return SanitizedPng.encode(s, s, 3, px);
  }

  @PreDestroy
  void close() {
    batcher.close();
  }
}
