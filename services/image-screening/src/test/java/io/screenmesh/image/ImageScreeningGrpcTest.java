package io.screenmesh.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.image.v1.ScreenImageStreamResponse;
import java.net.URL;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The image service over real gRPC, on inputs that need no text-screening. */
@QuarkusTest
class ImageScreeningGrpcTest {

  @TestHTTPResource("/")
  URL url;

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
  void aCleanImageIsAllowedWithASanitizedCopyAndTheDetectorsReported() {
    byte[] png = TestImages.png(200, 120);
    ScreenImageResponse r = client.screen("clean-1", png);
    assertEquals("clean-1", r.getId());
    assertEquals(Decision.DECISION_ALLOW, r.getVerdict().getDecision());
    assertEquals(0, r.getFindingsCount());
    assertEquals("png", r.getInfo().getFormat());
    assertEquals(200, r.getInfo().getWidth());
    assertEquals(120, r.getInfo().getHeight());
    assertEquals(3, r.getInfo().getChannels());
    DecodedImage original = new SafeImageDecoder(ImageLimits.DEFAULTS).decode(png);
    DecodedImage sanitized = new SafeImageDecoder(ImageLimits.DEFAULTS).decode(r.getSanitizedPng().toByteArray());
    assertTrue(Arrays.equals(original.pixels(), sanitized.pixels()));
    Map<String, DetectorRun> runs = r.getProcessing().getDetectorsList().stream()
        .collect(Collectors.toMap(DetectorRun::getDetector, d -> d));
    assertTrue(runs.get("image.decode").getRan());
    assertTrue(runs.get("image.metadata-text").getRan());
    for (String later : List.of("image.squeeze", "image.ocr", "image.qr", "image.hidden-signal")) {
      assertFalse(runs.get(later).getRan(), later);
      assertEquals("arrives in a later release", runs.get(later).getReason());
    }
    assertEquals("image-screening", r.getProcessing().getService());
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

  private static ScreenImageRequest request(String id, byte[] data) {
    return ScreenImageRequest.newBuilder().setId(id).setData(ByteString.copyFrom(data)).build();
  }
}
