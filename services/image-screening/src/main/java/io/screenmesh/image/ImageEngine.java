package io.screenmesh.image;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Context;
import io.grpc.Deadline;
import io.screenmesh.common.v1.Backend;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.common.v1.StageTiming;
import io.screenmesh.image.metadata.MetadataExtractor;
import io.screenmesh.image.v1.ImageInfo;
import io.screenmesh.image.v1.MetadataText;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import io.screenmesh.services.common.Stages;
import io.screenmesh.services.common.engine.DetectionContext;
import io.screenmesh.services.common.engine.DetectorRegistry;
import io.screenmesh.services.common.engine.DynamicBatcher;
import io.screenmesh.services.common.engine.ModalityVerdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The image-screening engine, plain Java (no CDI), for the service, the CLI, benchmarks and
 * tests. A batch of requests is screened in four steps:
 *
 * <ol>
 *   <li>prepare each image: decode it under the limits and the shared decode budget
 *       ({@link SafeImageDecoder}), stopped when its call ends, and read its metadata text; an
 *       image that cannot be prepared fails alone, with the decoder's status;
 *   <li>squeeze the decoded pixels on the compute backend ({@link ImageSqueeze}: one NHWC call per
 *       squeezer for the images of each shape);
 *   <li>run every registered detector over the prepared batch ({@link DetectorRegistry});
 *   <li>answer each image: findings, the verdict of {@link ModalityVerdict}, the sanitized PNG
 *       (squeezed or stripped pixels, see {@link Sanitize}; never any metadata) unless the
 *       request omits it, and the processing info with every registered detector's run.
 * </ol>
 *
 * The timings of the batch-wide steps ({@code squeeze}, {@code detectors}) are the batch's, the
 * same in each of its responses. Every image of a batch is squeezed, whether or not its request
 * wants the sanitized copy: the variants are the detectors' input too, and the squeeze costs a
 * fraction of the decode on the native backend. While a batch is prepared, an image holds up to
 * three times its decoded size (pixels, bit-depth variant, squeezed variant).
 *
 * <p>Thread-safe: batches may run concurrently.
 */
public final class ImageEngine {

  /** The service name reported in responses. */
  public static final String SERVICE = "image-screening";

  /** What the sanitized image is encoded from ({@code screenmesh.image.sanitize}). */
  public enum Sanitize {
    /** The squeezed pixels ({@link ImageSqueeze.Variants#squeezed()}), with no metadata. */
    SQUEEZE,
    /** The decoded pixels unchanged, with no metadata. */
    STRIP
  }

  /**
   * The engine's options.
   *
   * @param sanitize what the sanitized image carries
   * @param verdict the rule from findings to verdict
   */
  public record Options(Sanitize sanitize, ModalityVerdict verdict) {
    /** Squeezed sanitized images and the default verdict rule. */
    public static final Options DEFAULTS = new Options(Sanitize.SQUEEZE, ModalityVerdict.DEFAULT);
  }

  /** One request of a batch with its call's deadline and whether anyone still waits for it. */
  private record Job(ScreenImageRequest request, Context call, BooleanSupplier wanted) {}

  /** A request decoded and read, before squeezing. */
  private record Decoded(int job, byte[] data, DecodedImage image, MetadataExtractor.Extraction metadata,
      Stages stages) {}

  /** The answer to one job: a response, or why there is none. */
  private record Answer(ScreenImageResponse response, Throwable failure) {}

  private final SafeImageDecoder decoder;
  private final MetadataExtractor metadata;
  private final DetectorRegistry<PreparedImage> registry;
  private final ImageSqueeze squeeze;
  private final Backend backend;
  private final Options options;

  /**
   * Creates an engine.
   *
   * @param decoder decodes images under the limits
   * @param metadata reads metadata text
   * @param registry the detectors
   * @param squeeze the squeeze step on the compute backend
   * @param backend the compute backend, as reported in each response
   * @param options the sanitized image and the verdict rule
   */
  public ImageEngine(SafeImageDecoder decoder, MetadataExtractor metadata, DetectorRegistry<PreparedImage> registry,
      ImageSqueeze squeeze, Backend backend, Options options) {
    this.decoder = decoder;
    this.metadata = metadata;
    this.registry = registry;
    this.squeeze = squeeze;
    this.backend = backend;
    this.options = options;
  }

  /** The detectors. */
  public DetectorRegistry<PreparedImage> registry() {
    return registry;
  }

  /** The options. */
  public Options options() {
    return options;
  }

  /** Screens a batch from the {@link DynamicBatcher}: answers each item exactly once. */
  public void handle(List<DynamicBatcher.Item<ScreenImageRequest, ScreenImageResponse>> batch) {
    List<Job> jobs = new ArrayList<>(batch.size());
    for (var item : batch) {
      jobs.add(new Job(item.input(), item.call(), item::wanted));
    }
    List<Answer> answers = screenAll(jobs);
    for (int i = 0; i < batch.size(); i++) {
      Answer a = answers.get(i);
      if (a.failure() != null) {
        batch.get(i).fail(a.failure());
      } else {
        batch.get(i).complete(a.response());
      }
    }
  }

  /**
   * Screens one request in a batch of its own, without deadline (tools, tests, warm-up).
   *
   * @throws io.screenmesh.services.common.ScreeningException when the image cannot be screened
   *     (INVALID_ARGUMENT, RESOURCE_EXHAUSTED), as the service would answer
   */
  public ScreenImageResponse screen(ScreenImageRequest request) {
    return screen(List.of(request)).getFirst();
  }

  /**
   * Screens {@code requests} as one batch, without deadline (tools, tests, warm-up).
   *
   * @throws io.screenmesh.services.common.ScreeningException for the first request that cannot
   *     be screened
   */
  public List<ScreenImageResponse> screen(List<ScreenImageRequest> requests) {
    List<Job> jobs = requests.stream().map(r -> new Job(r, Context.ROOT, () -> true)).toList();
    List<ScreenImageResponse> out = new ArrayList<>(jobs.size());
    for (Answer a : screenAll(jobs)) {
      if (a.failure() instanceof RuntimeException e) {
        throw e;
      }
      if (a.failure() != null) {
        throw new CompletionException(a.failure());
      }
      out.add(a.response());
    }
    return out;
  }

  private List<Answer> screenAll(List<Job> jobs) {
    Answer[] answers = new Answer[jobs.size()];
    List<Decoded> decoded = prepare(jobs, answers);
    if (!decoded.isEmpty()) {
      long t0 = System.nanoTime();
      List<ImageSqueeze.Variants> variants = squeeze.apply(decoded.stream().map(Decoded::image).toList());
      long squeezeNanos = System.nanoTime() - t0;
      List<PreparedImage> prepared = new ArrayList<>(decoded.size());
      for (int i = 0; i < decoded.size(); i++) {
        Decoded d = decoded.get(i);
        d.stages().record("squeeze", squeezeNanos);
        prepared.add(new PreparedImage(jobs.get(d.job()).request(), d.data(), d.image(), d.metadata(),
            variants.get(i)));
      }
      t0 = System.nanoTime();
      List<DetectorRegistry.Screened> screened = registry.run(prepared, context(jobs));
      long detectNanos = System.nanoTime() - t0;
      for (int i = 0; i < decoded.size(); i++) {
        Decoded d = decoded.get(i);
        d.stages().record("detectors", detectNanos);
        screened.get(i).timings().forEach(t -> d.stages().record(t.getStage(), t.getMicros() * 1_000));
        try {
          answers[d.job()] = new Answer(respond(prepared.get(i), screened.get(i), d.stages(), jobs.size()), null);
        } catch (RuntimeException e) {
          answers[d.job()] = new Answer(null, e);
        }
      }
    }
    return List.of(answers);
  }

  /**
   * Decodes and reads every job, each on its own virtual thread. Each decode listens to its own
   * call: it stops (between rows, or while it waits for its memory budget) as soon as its caller
   * leaves or its deadline passes, whatever the other images of the batch do. Fills in the
   * failures.
   */
  private List<Decoded> prepare(List<Job> jobs, Answer[] answers) {
    List<Decoded> decoded = new ArrayList<>(jobs.size());
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Decoded>> work = new ArrayList<>(jobs.size());
      for (int i = 0; i < jobs.size(); i++) {
        int job = i;
        work.add(pool.submit(() -> prepare(job, jobs.get(job), jobs.get(job).call())));
      }
      for (int i = 0; i < jobs.size(); i++) {
        try {
          decoded.add(work.get(i).get());
        } catch (ExecutionException e) {
          answers[i] = new Answer(null, e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          work.forEach(w -> w.cancel(true));
          answers[i] = new Answer(null, e);
        }
      }
    }
    return decoded;
  }

  private Decoded prepare(int job, Job j, Context call) {
    Stages stages = new Stages();
    byte[] data = j.request().getData().toByteArray();
    DecodedImage image = stages.time("decode", () -> decoder.decode(data, call));
    MetadataExtractor.Extraction meta = stages.time("metadata", () -> metadata.extract(image.format(), data));
    return new Decoded(job, data, image, meta, stages);
  }

  private static DetectionContext context(List<Job> jobs) {
    Deadline earliest = null;
    for (Job j : jobs) {
      Deadline d = j.call().getDeadline();
      if (d != null && (earliest == null || d.isBefore(earliest))) {
        earliest = d;
      }
    }
    return new DetectionContext(earliest, () -> jobs.stream().noneMatch(j -> j.wanted().getAsBoolean()));
  }

  private ScreenImageResponse respond(PreparedImage p, DetectorRegistry.Screened screened, Stages stages,
      int batchSize) {
    DecodedImage image = p.image();
    ScreenImageResponse.Builder out = ScreenImageResponse.newBuilder()
        .setId(p.request().getId())
        .setInfo(ImageInfo.newBuilder()
            .setFormat(image.format().id())
            .setWidth(image.width())
            .setHeight(image.height())
            .setChannels(image.channels()))
        .addAllFindings(screened.findings())
        .setVerdict(options.verdict().decide(screened.findings()));
    for (SourcedText t : p.metadata().texts()) {
      out.addMetadataText(MetadataText.newBuilder().setSource(t.source()).setText(t.text()));
    }
    if (!p.request().getOmitSanitized()) {
      byte[] pixels = options.sanitize() == Sanitize.SQUEEZE ? p.squeezed().squeezed() : image.pixels();
      // The encoded array is ours alone and never changes: wrap it rather than copy it.
      out.setSanitizedPng(UnsafeByteOperations.unsafeWrap(stages.time("sanitize",
          () -> SanitizedPng.encode(image.width(), image.height(), image.channels(), pixels))));
    }
    List<StageTiming> timings = stages.timings();
    return out.setProcessing(ProcessingInfo.newBuilder()
            .setService(SERVICE)
            .addAllTimings(timings)
            .setBackend(backend)
            .addAllDetectors(screened.runs())
            .setBatchSize(batchSize))
        .build();
  }
}
