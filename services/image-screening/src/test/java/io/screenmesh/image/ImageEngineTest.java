package io.screenmesh.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.Status;
import io.screenmesh.common.v1.Backend;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.DetectorOutcome;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.image.detectors.MetadataTextDetector;
import io.screenmesh.image.metadata.MetadataExtractor;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.kernels.AccelerationProvider;
import io.screenmesh.kernels.AccelerationProviders;
import io.screenmesh.kernels.Nhwc;
import io.screenmesh.kernels.Squeeze;
import io.screenmesh.services.common.ComputeBackend;
import io.screenmesh.services.common.DerivedTextScreener;
import io.screenmesh.services.common.ScreeningException;
import io.screenmesh.services.common.engine.Detection;
import io.screenmesh.services.common.engine.DetectionContext;
import io.screenmesh.services.common.engine.DetectorRegistry;
import io.screenmesh.services.common.engine.DynamicBatcher;
import io.screenmesh.services.common.engine.ModalityVerdict;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine in plain Java (no Quarkus): squeeze on the path, detectors from the registry. */
class ImageEngineTest {

  private static final Logger LOG = Logger.getLogger(ImageEngineTest.class);
  private static final SafeImageDecoder DECODER = new SafeImageDecoder(ImageLimits.DEFAULTS);

  /** Text-screening is not running: images without metadata make no call to it. */
  private static ManagedChannel textDown;

  @BeforeAll
  static void channel() throws IOException {
    textDown = InProcessChannelBuilder.forName("no-text-screening-" + java.util.UUID.randomUUID()).build();
  }

  @AfterAll
  static void close() throws InterruptedException {
    textDown.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  /** Throws on every batch, as a broken detector would. */
  static final class Broken implements ImageDetector {
    @Override
    public String id() {
      return "image.broken";
    }

    @Override
    public List<Detection> detect(List<PreparedImage> batch, DetectionContext context) {
      throw new IllegalStateException("broken on purpose");
    }
  }

  /** Records the prepared inputs it is handed. */
  static final class Recorder implements ImageDetector {
    final List<PreparedImage> seen = new ArrayList<>();

    @Override
    public String id() {
      return "image.recorder";
    }

    @Override
    public synchronized List<Detection> detect(List<PreparedImage> batch, DetectionContext context) {
      seen.addAll(batch);
      return batch.stream().map(p -> Detection.NOTHING).toList();
    }
  }

  private static ImageEngine engine(AccelerationProvider provider, ImageSqueeze.Settings squeeze,
      ImageEngine.Sanitize sanitize, ImageDetector... extra) {
    return engine(DECODER, provider, squeeze, sanitize, extra);
  }

  private static ImageEngine engine(SafeImageDecoder decoder, AccelerationProvider provider,
      ImageSqueeze.Settings squeeze, ImageEngine.Sanitize sanitize, ImageDetector... extra) {
    List<ImageDetector> detectors = new ArrayList<>(List.of(extra));
    detectors.add(new MetadataTextDetector(new DerivedTextScreener(textDown, Duration.ofSeconds(2))));
    return new ImageEngine(decoder, new MetadataExtractor(32, 16384, 1 << 20),
        new DetectorRegistry<>(Modality.MODALITY_IMAGE, detectors, Map.of(),
            DetectorRegistry.Settings.enabled(Duration.ofSeconds(3))),
        new ImageSqueeze(Squeeze.on(provider), squeeze), ComputeBackend.toProto(provider.backend()),
        new ImageEngine.Options(sanitize, ModalityVerdict.DEFAULT));
  }

  private static ImageEngine javaEngine(ImageDetector... extra) {
    return engine(AccelerationProviders.create("java"), ImageSqueeze.Settings.DEFAULTS, ImageEngine.Sanitize.SQUEEZE,
        extra);
  }

  private static ScreenImageRequest request(String id, byte[] data) {
    return ScreenImageRequest.newBuilder().setId(id).setData(ByteString.copyFrom(data)).build();
  }

  /** The pixels of a PNG as ImageIO reads them, in the layout of {@link DecodedImage#pixels()}. */
  static byte[] imageIoPixels(byte[] png, int channels) throws IOException {
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
    byte[] px = new byte[img.getWidth() * img.getHeight() * channels];
    int o = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int argb = img.getRGB(x, y);
        px[o++] = (byte) (argb >> 16);
        px[o++] = (byte) (argb >> 8);
        px[o++] = (byte) argb;
        if (channels == 4) {
          px[o++] = (byte) (argb >>> 24);
        }
      }
    }
    return px;
  }

  /** Bit depth then median with the facade itself, on one image. */
  static byte[] squeezedByHand(Squeeze squeeze, DecodedImage image, int bits, int window) {
    byte[] reduced = new byte[image.pixels().length];
    squeeze.bitDepth(image.pixels(), reduced, bits);
    byte[] smoothed = new byte[reduced.length];
    squeeze.median(reduced, smoothed, new Nhwc(1, image.height(), image.width(), image.channels()), window);
    return smoothed;
  }

  @Test
  void everyRegisteredDetectorIsReportedAndABrokenOneBlocks() {
    ImageEngine engine = javaEngine(new Broken());
    ScreenImageResponse r = engine.screen(request("a", TestImages.png(40, 30)));
    assertEquals(List.of("image.broken", "image.metadata-text"),
        r.getProcessing().getDetectorsList().stream().map(DetectorRun::getDetector).toList());
    assertEquals(engine.registry().ids(),
        r.getProcessing().getDetectorsList().stream().map(DetectorRun::getDetector).toList());
    DetectorRun broken = r.getProcessing().getDetectors(0);
    assertEquals(DetectorOutcome.DETECTOR_OUTCOME_FAILED, broken.getOutcome());
    DetectorRun meta = r.getProcessing().getDetectors(1);
    assertEquals(DetectorOutcome.DETECTOR_OUTCOME_SKIPPED, meta.getOutcome());
    assertEquals("no metadata text", meta.getReason());
    assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision(), "a failed detector fails closed");
    assertTrue(r.getFindingsList().stream().anyMatch(f -> f.getCategory() == Category.CATEGORY_SCREENING_UNAVAILABLE
        && f.getDetector().equals("image.broken")), r.getFindingsList().toString());
    assertEquals(Backend.BACKEND_JAVA, r.getProcessing().getBackend());
    assertEquals(1, r.getProcessing().getBatchSize());
    assertEquals("image-screening", r.getProcessing().getService());
    List<String> stages = r.getProcessing().getTimingsList().stream().map(t -> t.getStage()).toList();
    assertEquals(List.of("decode", "metadata", "squeeze", "detectors", "detect.image.broken",
        "detect.image.metadata-text", "sanitize"), stages);
  }

  @Test
  void withoutABrokenDetectorACleanImageIsAllowed() {
    ScreenImageResponse r = javaEngine().screen(request("a", TestImages.png(40, 30)));
    assertEquals(Decision.DECISION_ALLOW, r.getVerdict().getDecision(), r.getFindingsList().toString());
    assertEquals(0, r.getFindingsCount());
  }

  @Test
  void metadataTextThatCannotBeScreenedBlocksOnlyItsOwnImage() {
    byte[] withText = TestImages.withChunks(TestImages.png(30, 20), TestImages.tEXt("Comment", "anything at all"));
    List<ScreenImageResponse> r = javaEngine().screen(List.of(request("m", withText),
        request("n", TestImages.png(30, 20))));
    assertEquals(Decision.DECISION_BLOCK, r.get(0).getVerdict().getDecision());
    assertTrue(r.get(0).getFindingsList().stream()
        .anyMatch(f -> f.getCategory() == Category.CATEGORY_SCREENING_UNAVAILABLE
            && f.getMessage().contains(DerivedTextScreener.UNAVAILABLE_REASON)), r.get(0).getFindingsList().toString());
    DetectorRun run = r.get(0).getProcessing().getDetectors(0);
    assertTrue(run.getReason().contains(DerivedTextScreener.UNAVAILABLE_REASON), run.toString());
    assertEquals("anything at all", r.get(0).getMetadataText(0).getText());
    assertEquals(Decision.DECISION_ALLOW, r.get(1).getVerdict().getDecision(), r.get(1).getFindingsList().toString());
    assertEquals(2, r.get(1).getProcessing().getBatchSize());
  }

  @Test
  void theSanitizedImageIsTheSqueezedPixelsBitForBit() throws IOException {
    AccelerationProvider java = AccelerationProviders.create("java");
    for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB}) {
      byte[] png = TestImages.encode(TestImages.pattern(57, 33, type), "png");
      DecodedImage decoded = DECODER.decode(png);
      byte[] expected = squeezedByHand(Squeeze.on(java), decoded, 5, 2);
      ScreenImageResponse r = javaEngine().screen(request("s", png));
      byte[] actual = imageIoPixels(r.getSanitizedPng().toByteArray(), decoded.channels());
      assertArrayEquals(expected, actual, "channels " + decoded.channels());
      assertFalse(Arrays.equals(decoded.pixels(), actual), "the squeeze changed nothing: a vacuous test");
      assertEquals(List.of("IHDR", "IDAT", "IEND"), TestImages.chunkTypes(r.getSanitizedPng().toByteArray()).stream()
          .distinct().toList());
    }
  }

  @Test
  void stripKeepsTheDecodedPixels() throws IOException {
    byte[] png = TestImages.withChunks(TestImages.png(31, 17), TestImages.tEXt("Software", "x"));
    ImageEngine strip = engine(AccelerationProviders.create("java"), ImageSqueeze.Settings.DEFAULTS,
        ImageEngine.Sanitize.STRIP);
    ScreenImageResponse r = strip.screen(request("s", png));
    assertArrayEquals(DECODER.decode(png).pixels(), imageIoPixels(r.getSanitizedPng().toByteArray(), 3));
    assertTrue(TestImages.chunkTypes(png).contains("tEXt"));
    assertFalse(TestImages.chunkTypes(r.getSanitizedPng().toByteArray()).contains("tEXt"));
  }

  @Test
  void aBatchIsSqueezedPerShapeExactlyAsEachImageAlone() {
    AccelerationProvider java = AccelerationProviders.create("java");
    Recorder recorder = new Recorder();
    ImageEngine engine = engine(java, new ImageSqueeze.Settings(3, 3), ImageEngine.Sanitize.SQUEEZE, recorder);
    List<byte[]> images = List.of(TestImages.png(23, 19), TestImages.jpeg(23, 19), TestImages.png(7, 5),
        TestImages.encode(TestImages.pattern(23, 19, BufferedImage.TYPE_INT_ARGB), "png"),
        TestImages.encode(TestImages.pattern(19, 23, BufferedImage.TYPE_INT_RGB), "bmp"));
    List<ScreenImageRequest> requests = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      requests.add(request("i" + i, images.get(i)).toBuilder().setOmitSanitized(true).build());
    }
    List<ScreenImageResponse> out = engine.screen(requests);
    assertEquals(images.size(), recorder.seen.size());
    for (int i = 0; i < images.size(); i++) {
      PreparedImage p = recorder.seen.get(i);
      assertEquals("i" + i, p.request().getId());
      DecodedImage alone = DECODER.decode(images.get(i));
      assertArrayEquals(alone.pixels(), p.image().pixels());
      byte[] bits = new byte[alone.pixels().length];
      Squeeze.on(java).bitDepth(alone.pixels(), bits, 3);
      assertArrayEquals(bits, p.squeezed().bitDepth(), "bit depth of image " + i);
      assertArrayEquals(squeezedByHand(Squeeze.on(java), alone, 3, 3), p.squeezed().squeezed(), "image " + i);
      assertTrue(out.get(i).getSanitizedPng().isEmpty());
      assertEquals(5, out.get(i).getProcessing().getBatchSize());
    }
  }

  @Test
  void squeezersThatAreOffCostNoCopy() {
    DecodedImage image = DECODER.decode(TestImages.png(9, 9));
    Squeeze java = Squeeze.on(AccelerationProviders.create("java"));
    ImageSqueeze.Variants off = new ImageSqueeze(java, new ImageSqueeze.Settings(8, 0)).apply(image);
    assertSame(image.pixels(), off.bitDepth());
    assertSame(image.pixels(), off.squeezed());
    ImageSqueeze.Variants bitsOnly = new ImageSqueeze(java, new ImageSqueeze.Settings(4, 0)).apply(image);
    assertNotSame(image.pixels(), bitsOnly.bitDepth());
    assertSame(bitsOnly.bitDepth(), bitsOnly.squeezed());
    assertThrows(IllegalArgumentException.class, () -> new ImageSqueeze.Settings(0, 2));
    assertThrows(IllegalArgumentException.class, () -> new ImageSqueeze.Settings(5, 4));
  }

  @Test
  void anImageThatCannotBeDecodedFailsAloneInItsBatch() throws Exception {
    ImageEngine engine = javaEngine();
    // A long delay gathers the three requests into one batch.
    try (var batcher = new DynamicBatcher<ScreenImageRequest, ScreenImageResponse>("test",
        new DynamicBatcher.Settings(8, Duration.ofMillis(300), 8, 1), engine::handle)) {
      CompletableFuture<ScreenImageResponse> good = batcher.submit(request("g", TestImages.png(12, 12)), Context.ROOT);
      CompletableFuture<ScreenImageResponse> bad = batcher.submit(request("b", "not an image".getBytes()), Context.ROOT);
      CompletableFuture<ScreenImageResponse> also = batcher.submit(request("h", TestImages.png(12, 12)), Context.ROOT);
      assertEquals("g", good.get(30, TimeUnit.SECONDS).getId());
      assertEquals("h", also.get(30, TimeUnit.SECONDS).getId());
      assertEquals(3, good.get().getProcessing().getBatchSize());
      ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(30, TimeUnit.SECONDS));
      ScreeningException se = assertInstanceOf(ScreeningException.class, e.getCause());
      assertEquals(Status.Code.INVALID_ARGUMENT, se.code());
      assertEquals(SafeImageDecoder.FORMAT_UNSUPPORTED, se.reason());
    }
  }

  @Test
  void aCallThatEndsWhileItsImageDecodesStopsTheDecode() throws Exception {
    byte[] png = TestImages.zeroRgba16Png(2_000);
    Context.CancellableContext call = Context.ROOT.withCancellation();
    CountDownLatch reading = new CountDownLatch(1);
    SafeImageDecoder decoder = new SafeImageDecoder(ImageLimits.DEFAULTS,
        new DecodeBudget(SafeImageDecoder.DEFAULT_BUDGET_BYTES, Duration.ofSeconds(5)), (reader, param) -> {
          reading.countDown();
          // The caller goes away as the reader starts on 32 MB of samples.
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (!call.isCancelled() && System.nanoTime() < until) {
            Thread.sleep(5);
          }
          return reader.read(0, param);
        });
    ImageEngine engine = engine(decoder, AccelerationProviders.create("java"), ImageSqueeze.Settings.DEFAULTS,
        ImageEngine.Sanitize.SQUEEZE);
    try (var batcher = new DynamicBatcher<ScreenImageRequest, ScreenImageResponse>("test",
        new DynamicBatcher.Settings(8, Duration.ZERO, 8, 1), engine::handle)) {
      CompletableFuture<ScreenImageResponse> answer = batcher.submit(request("big", png), call);
      assertTrue(reading.await(30, TimeUnit.SECONDS));
      call.cancel(null);
      // Once in a batch, the item is answered by the engine only: had the decode gone on, the
      // image would have been screened and answered.
      ExecutionException e = assertThrows(ExecutionException.class, () -> answer.get(30, TimeUnit.SECONDS));
      ScreeningException se = assertInstanceOf(ScreeningException.class, e.getCause());
      assertEquals(Status.Code.CANCELLED, se.code(), se.getMessage());
    }
  }

  /**
   * The native squeeze in the engine gives the java oracle's sanitized image, bit for bit; logs
   * rough figures per 224×224 image on each backend (not a benchmark: nothing asserted on time).
   */
  @Test
  void nativeAndJavaEnginesAgreeBitForBitWithFigures() {
    AccelerationProvider nativ;
    try {
      nativ = AccelerationProviders.create("native");
    } catch (RuntimeException | LinkageError e) {
      assumeTrue(false, "native backend not available: " + e.getMessage());
      return;
    }
    byte[] png = ImageEngineProducer.warmUpPng();
    List<ScreenImageRequest> batch = Collections.nCopies(8, request("t", png));
    Map<String, AccelerationProvider> providers = Map.of("java", AccelerationProviders.create("java"), "native", nativ);
    Map<String, ByteString> sanitized = new HashMap<>();
    for (String id : List.of("java", "native")) {
      AccelerationProvider provider = providers.get(id);
      ImageEngine engine = engine(provider, ImageSqueeze.Settings.DEFAULTS, ImageEngine.Sanitize.SQUEEZE);
      sanitized.put(id, engine.screen(batch).get(5).getSanitizedPng());
      List<ScreenImageRequest> verdictsOnly = Collections.nCopies(8,
          request("t", png).toBuilder().setOmitSanitized(true).build());
      ImageSqueeze squeeze = new ImageSqueeze(Squeeze.on(provider), ImageSqueeze.Settings.DEFAULTS);
      List<DecodedImage> decoded = Collections.nCopies(8, DECODER.decode(png));
      for (int i = 0; i < 20; i++) {
        engine.screen(verdictsOnly);
        squeeze.apply(decoded);
      }
      int rounds = 50;
      long t0 = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        engine.screen(verdictsOnly);
      }
      long engineNanos = System.nanoTime() - t0;
      t0 = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        squeeze.apply(decoded);
      }
      long squeezeNanos = System.nanoTime() - t0;
      LOG.infof("figures: 224x224 PNG in batches of 8 on %s: engine %.3f ms per image (omit_sanitized),"
          + " squeeze (bit depth 5 + 2x2 median) %.1f us per image", id, engineNanos / 1e6 / (rounds * 8),
          squeezeNanos / 1e3 / (rounds * 8));
    }
    assertEquals(sanitized.get("java"), sanitized.get("native"));
  }
}
