package io.screenmesh.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.screenmesh.common.v1.Backend;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.DetectorOutcome;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.image.v1.ScreenImageStreamRequest;
import io.screenmesh.image.v1.ScreenImageStreamResponse;
import io.screenmesh.services.common.ComputeBackend;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The image service over real gRPC (engine, batcher, adapter), on inputs that need no text-screening. */
@QuarkusTest
class ImageScreeningGrpcTest {

  @TestHTTPResource("/")
  URL url;

  @Inject
  ComputeBackend backend;

  @Inject
  ImageEngine engine;

  private ImageGrpcClient client;

  @BeforeEach
  void connect() {
    client = new ImageGrpcClient(url);
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    client.close();
  }

  private void assertStatus(Status.Code code, String reason, byte[] data) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.screen("x", data));
    assertEquals(code, e.getStatus().getCode(), e.toString());
    assertEquals(reason, ImageGrpcClient.reasonOf(e), e.toString());
  }

  @Test
  void aCleanImageIsAllowedWithASqueezedSanitizedCopyAndEveryDetectorReported() throws IOException {
    byte[] png = TestImages.png(200, 120);
    ScreenImageResponse r = client.screen("clean-1", png);
    assertEquals("clean-1", r.getId());
    assertEquals(Decision.DECISION_ALLOW, r.getVerdict().getDecision());
    assertEquals(0, r.getFindingsCount());
    assertEquals("png", r.getInfo().getFormat());
    assertEquals(200, r.getInfo().getWidth());
    assertEquals(120, r.getInfo().getHeight());
    assertEquals(3, r.getInfo().getChannels());
    // The sanitized image is the configured squeeze (bit depth 5, 2x2 median) of the decoded
    // pixels on the service's own backend, bit for bit.
    DecodedImage original = new SafeImageDecoder(ImageLimits.DEFAULTS).decode(png);
    assertArrayEquals(ImageEngineTest.squeezedByHand(backend.squeeze(), original, 5, 2),
        ImageEngineTest.imageIoPixels(r.getSanitizedPng().toByteArray(), 3));
    assertEquals(engine.registry().ids(),
        r.getProcessing().getDetectorsList().stream().map(DetectorRun::getDetector).toList());
    Map<String, DetectorRun> runs = r.getProcessing().getDetectorsList().stream()
        .collect(Collectors.toMap(DetectorRun::getDetector, d -> d));
    assertEquals(DetectorOutcome.DETECTOR_OUTCOME_SKIPPED, runs.get("image.metadata-text").getOutcome());
    assertEquals("no metadata text", runs.get("image.metadata-text").getReason());
    assertEquals("image-screening", r.getProcessing().getService());
    assertTrue(r.getProcessing().getBatchSize() >= 1);
  }

  @Test
  void theAdversarialDetectorWithoutAModelIsReportedSkippedWithTheReason() {
    ScreenImageResponse r = client.screen("adv", TestImages.png(32, 32));
    DetectorRun run = r.getProcessing().getDetectorsList().stream()
        .filter(d -> d.getDetector().equals("image.adversarial")).findFirst().orElseThrow();
    assertEquals(DetectorOutcome.DETECTOR_OUTCOME_SKIPPED, run.getOutcome());
    assertTrue(run.getReason().contains("no model configured"), run.getReason());
  }

  @Test
  void theBackendFromApplicationPropertiesIsUsedAndReported() {
    // %test.screenmesh.backend=java; "auto" would choose native where the C library is built.
    assertEquals("java", backend.choice());
    assertEquals(Backend.BACKEND_JAVA, backend.proto());
    assertEquals(Backend.BACKEND_JAVA, client.screen("b", TestImages.png(8, 8)).getProcessing().getBackend());
  }

  @Test
  void healthSaysServingOnceWarm() throws InterruptedException {
    var health = HealthGrpc.newBlockingStub(client.channel());
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    ServingStatus status = ServingStatus.UNKNOWN;
    while (System.nanoTime() < end) {
      status = health.withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.newBuilder()
          .setService(ImageEngineProducer.SERVICE_NAME).build()).getStatus();
      if (status == ServingStatus.SERVING) {
        break;
      }
      Thread.sleep(50);
    }
    assertEquals(ServingStatus.SERVING, status);
  }

  @Test
  void omitSanitizedLeavesItOut() {
    ScreenImageResponse r = client.screen("j", TestImages.jpeg(64, 48));
    assertFalse(r.getSanitizedPng().isEmpty());
    var stub = io.screenmesh.image.v1.ImageScreeningServiceGrpc.newBlockingStub(
        io.grpc.ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext().build())
        .withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS);
    ScreenImageResponse omitted = stub.screenImage(ScreenImageRequest.newBuilder().setId("j")
        .setData(ByteString.copyFrom(TestImages.jpeg(64, 48))).setOmitSanitized(true).build());
    assertTrue(omitted.getSanitizedPng().isEmpty());
    assertEquals("jpeg", omitted.getInfo().getFormat());
  }

  @Test
  void badInputGetsTheDocumentedStatuses() {
    byte[] png = TestImages.png(120, 80);
    assertStatus(Status.Code.INVALID_ARGUMENT, "IMAGE_MALFORMED", Arrays.copyOf(png, png.length / 2));
    assertStatus(Status.Code.INVALID_ARGUMENT, "IMAGE_FORMAT_UNSUPPORTED", "GIF? no, plain text".getBytes());
    assertStatus(Status.Code.INVALID_ARGUMENT, "IMAGE_EMPTY", new byte[0]);
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, "IMAGE_DIMENSIONS_TOO_LARGE", TestImages.pngHeaderOnly(50_000, 50_000));
  }

  @Test
  void anImageOverTheByteLimitGetsOurReasonNotATransportError() {
    // The test profile lowers screenmesh.image.max-bytes to 2 MiB.
    byte[] big = new byte[3 * 1024 * 1024];
    System.arraycopy(png8(), 0, big, 0, 8);
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, "IMAGE_TOO_LARGE", big);
  }

  private static byte[] png8() {
    return Arrays.copyOf(TestImages.png(1, 1), 8);
  }

  @Test
  void theStreamAnswersEveryImageInOrderAndSurvivesBadOnes() throws InterruptedException {
    List<ScreenImageRequest> requests = List.of(
        request("a", TestImages.png(10, 10)),
        request("b", "not an image".getBytes()),
        request("c", TestImages.pngHeaderOnly(50_000, 50_000)),
        request("d", TestImages.encode(TestImages.pattern(9, 9, java.awt.image.BufferedImage.TYPE_INT_RGB), "bmp")));
    List<ScreenImageStreamResponse> answers = client.stream(requests);
    assertEquals(List.of("a", "b", "c", "d"), answers.stream().map(ScreenImageStreamResponse::getId).toList());
    assertTrue(answers.get(0).hasResponse());
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), answers.get(1).getError().getCode());
    assertEquals("IMAGE_FORMAT_UNSUPPORTED", answers.get(1).getError().getReason());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED.value(), answers.get(2).getError().getCode());
    assertEquals("IMAGE_DIMENSIONS_TOO_LARGE", answers.get(2).getError().getReason());
    assertEquals("bmp", answers.get(3).getResponse().getInfo().getFormat());
  }

  @Test
  void aStreamItemWithoutARequestGetsItsOwnErrorAndTheStreamGoesOn() throws InterruptedException {
    List<ScreenImageStreamResponse> answers = client.streamItems(List.of(
        ScreenImageStreamRequest.getDefaultInstance(),
        ScreenImageStreamRequest.newBuilder().setRequest(request("after", TestImages.png(6, 6))).build()));
    assertEquals(2, answers.size());
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), answers.get(0).getError().getCode());
    assertEquals("MISSING_REQUEST", answers.get(0).getError().getReason());
    assertEquals("after", answers.get(1).getId());
    assertEquals(Decision.DECISION_ALLOW, answers.get(1).getResponse().getVerdict().getDecision());
  }

  private static ScreenImageRequest request(String id, byte[] data) {
    return ScreenImageRequest.newBuilder().setId(id).setData(ByteString.copyFrom(data)).build();
  }
}
