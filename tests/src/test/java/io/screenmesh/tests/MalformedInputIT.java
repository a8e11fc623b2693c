package io.screenmesh.tests;

import static io.screenmesh.tests.Screening.audio;
import static io.screenmesh.tests.Screening.describe;
import static io.screenmesh.tests.Screening.image;
import static io.screenmesh.tests.Screening.item;
import static io.screenmesh.tests.Screening.part;
import static io.screenmesh.tests.Screening.reason;
import static io.screenmesh.tests.Screening.screen;
import static io.screenmesh.tests.Screening.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.screenmesh.audio.v1.AudioScreeningServiceGrpc;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.ModalityOutcome;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.PartResult;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import io.screenmesh.fusion.v1.ScreenItemStreamResponse;
import io.screenmesh.image.v1.ImageScreeningServiceGrpc;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Broken, oversized and unauthenticated inputs get the documented status codes and reasons:
 * whole-item problems fail the call at the front door; a part that its modality service
 * refuses is answered as REJECTED with the service's status and BLOCKs the item.
 */
@ExtendWith(MeshExtension.class)
class MalformedInputIT {

  /** One more UTF-16 unit than text-screening's default limit (65,536). */
  private static final int TEXT_OVER_LIMIT = 65_537;

  private final Mesh mesh;

  MalformedInputIT(Mesh mesh) {
    this.mesh = mesh;
  }

  private static StatusRuntimeException failure(Supplier<?> call) {
    return assertThrows(StatusRuntimeException.class, call::get);
  }

  private static void assertStatus(Status.Code code, String reason, StatusRuntimeException e) {
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertEquals(reason, reason(e), e.getStatus().toString());
  }

  // --- whole items, refused by the front door ------------------------------------------

  @Test
  void itemWithoutPartsIsInvalid() {
    assertStatus(Status.Code.INVALID_ARGUMENT, "ITEM_EMPTY",
        failure(() -> screen(mesh, ScreenItemRequest.newBuilder().setId("empty").build())));
  }

  @Test
  void itemWithTooManyPartsIsRefused() {
    Part[] parts = IntStream.range(0, 17).mapToObj(i -> text("t" + i, "hello " + i)).toArray(Part[]::new);
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, "ITEM_TOO_MANY_PARTS", failure(() -> screen(mesh, item("many", parts))));
  }

  @Test
  void partWithoutContentIsInvalid() {
    assertStatus(Status.Code.INVALID_ARGUMENT, "PART_EMPTY",
        failure(() -> screen(mesh, item("hollow", text("a", "fine"), Part.newBuilder().setId("b").build()))));
  }

  @Test
  void frontDoorRefusesCallsWithoutTheBearerToken() {
    Channel raw = mesh.rawChannel(MeshService.FUSION);
    ScreenItemRequest ok = item("noauth", text("q", "What time is it in Tokyo?"));
    assertStatus(Status.Code.UNAUTHENTICATED, "TOKEN_MISSING", failure(() -> FusionCheckerServiceGrpc
        .newBlockingStub(raw).withDeadlineAfter(10, TimeUnit.SECONDS).screenItem(ok)));
    Metadata wrong = new Metadata();
    wrong.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer not-the-token");
    assertStatus(Status.Code.UNAUTHENTICATED, "TOKEN_INVALID", failure(() -> FusionCheckerServiceGrpc
        .newBlockingStub(raw).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(wrong))
        .withDeadlineAfter(10, TimeUnit.SECONDS).screenItem(ok)));
  }

  @Test
  void frontDoorChecksTheTokensScopes() {
    Channel raw = mesh.rawChannel(MeshService.FUSION);
    ScreenItemRequest failOpen = item("open", text("q", "What time is it in Tokyo?")).toBuilder()
        .setPolicy("availability-first").build();
    // The mesh's own token (screen, screen:batch) may not opt out of fail-closed screening.
    assertStatus(Status.Code.PERMISSION_DENIED, "POLICY_SCOPE_MISSING", failure(() -> screen(mesh, failOpen)));
    assertEquals("availability-first", FusionCheckerServiceGrpc.newBlockingStub(withBearer(raw,
            mesh.token("screen policy:availability-first")))
        .withDeadlineAfter(30, TimeUnit.SECONDS).screenItem(failOpen).getPolicy());
    // A token for streams only cannot make unary calls.
    assertStatus(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", failure(() -> FusionCheckerServiceGrpc
        .newBlockingStub(withBearer(raw, mesh.token("screen:batch"))).withDeadlineAfter(10, TimeUnit.SECONDS)
        .screenItem(item("batch-only", text("q", "hello")))));
  }

  private static Channel withBearer(Channel channel, String token) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
  }

  // --- parts refused by their modality service: REJECTED and BLOCK ---------------------

  private ScreenItemResponse assertRejected(Part bad, int code, String reason) {
    ScreenItemResponse r = screen(mesh, item("bad-" + bad.getId(), text("ok", "Please look at the attachment."), bad));
    assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision(), describe(r));
    PartResult p = part(r, bad.getId());
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_REJECTED, p.getOutcome(), describe(r));
    assertEquals(code, p.getError().getCode(), p.getError().toString());
    assertEquals(reason, p.getError().getReason(), p.getError().toString());
    List<Finding> malformed = p.getFindingsList().stream()
        .filter(f -> f.getCategory() == Category.CATEGORY_MALFORMED_INPUT).toList();
    assertEquals(1, malformed.size(), describe(r));
    assertEquals(bad.getId(), malformed.getFirst().getPartId());
    assertTrue(r.getVerdict().getReasonsList().contains(malformed.getFirst()), "the rejection should drive the verdict");
    // The good part is still screened and answered.
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_SCREENED, part(r, "ok").getOutcome());
    return r;
  }

  @Test
  void truncatedPngIsRejectedAsMalformed() {
    assertRejected(image("img", Samples.truncatedPng()), Status.Code.INVALID_ARGUMENT.value(), "IMAGE_MALFORMED");
  }

  @Test
  void bytesOfNoImageFormatAreRejectedAsUnsupported() {
    assertRejected(image("img", "GIF? no, plain text pretending to be an image".getBytes(StandardCharsets.US_ASCII)),
        Status.Code.INVALID_ARGUMENT.value(), "IMAGE_FORMAT_UNSUPPORTED");
  }

  @Test
  void decompressionBombHeaderIsRejectedBeforeDecoding() {
    // 50,000 × 50,000 RGB would be 7.5 GB of pixels; the request itself is a few dozen bytes.
    assertRejected(image("img", Samples.pngHeaderOnly(50_000, 50_000)),
        Status.Code.RESOURCE_EXHAUSTED.value(), "IMAGE_DIMENSIONS_TOO_LARGE");
    assertTrue(mesh.isAlive(MeshService.IMAGE), "image-screening died on a bomb header");
  }

  @Test
  void oversizedTextIsRejected() {
    assertRejected(text("long", "a".repeat(TEXT_OVER_LIMIT)), Status.Code.RESOURCE_EXHAUSTED.value(), "TEXT_TOO_LARGE");
  }

  @Test
  void truncatedWavIsRejectedAsMalformed() {
    assertRejected(audio("clip", Samples.truncatedWav()), Status.Code.INVALID_ARGUMENT.value(), "AUDIO_MALFORMED");
  }

  @Test
  void wavBelowTheSampleRateBoundIsRejected() {
    assertRejected(audio("clip", Samples.wavTone(4_000, 0.25, 440)), Status.Code.INVALID_ARGUMENT.value(),
        "AUDIO_SAMPLE_RATE_UNSUPPORTED");
  }

  // --- the modality services called directly ------------------------------------------

  @Test
  void imageServiceRefusesABombHeaderWithResourceExhausted() {
    var stub = ImageScreeningServiceGrpc.newBlockingStub(mesh.channel(MeshService.IMAGE)).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, "IMAGE_DIMENSIONS_TOO_LARGE", failure(() -> stub.screenImage(
        ScreenImageRequest.newBuilder().setId("bomb").setData(ByteString.copyFrom(Samples.pngHeaderOnly(50_000, 50_000))).build())));
    assertStatus(Status.Code.INVALID_ARGUMENT, "IMAGE_MALFORMED", failure(() -> stub.screenImage(
        ScreenImageRequest.newBuilder().setId("cut").setData(ByteString.copyFrom(Samples.truncatedPng())).build())));
    assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(mesh.rawChannel(MeshService.IMAGE))
        .withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
  }

  @Test
  void textServiceRefusesOversizedTextWithResourceExhausted() {
    var stub = TextScreeningServiceGrpc.newBlockingStub(mesh.channel(MeshService.TEXT)).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, "TEXT_TOO_LARGE", failure(() -> stub.screenText(
        ScreenTextRequest.newBuilder().setId("long").setText("b".repeat(TEXT_OVER_LIMIT)).build())));
  }

  @Test
  void audioServiceRefusesATruncatedWavWithInvalidArgument() {
    var stub = AudioScreeningServiceGrpc.newBlockingStub(mesh.channel(MeshService.AUDIO)).withDeadlineAfter(10, TimeUnit.SECONDS);
    assertStatus(Status.Code.INVALID_ARGUMENT, "AUDIO_MALFORMED", failure(() -> stub.screenAudio(
        ScreenAudioRequest.newBuilder().setId("cut").setData(ByteString.copyFrom(Samples.truncatedWav())).build())));
  }

  // --- streams: a bad item is answered with an ItemError and the stream goes on ---------

  @Test
  void badItemOnAStreamGetsAnItemErrorAndTheOthersAreAnswered() throws Exception {
    StreamAnswers answers = new StreamAnswers();
    StreamObserver<ScreenItemStreamRequest> requests = FusionCheckerServiceGrpc.newStub(mesh.channel(MeshService.FUSION))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .screenItemStream(answers);
    requests.onNext(ScreenItemStreamRequest.newBuilder().setRequest(item("first", text("q", "How do tides work?"))).build());
    requests.onNext(ScreenItemStreamRequest.newBuilder().setRequest(ScreenItemRequest.newBuilder().setId("empty")).build());
    // Ids are required on streams: the third item is answered under its position, "#3".
    requests.onNext(ScreenItemStreamRequest.newBuilder().setRequest(item("", text("q", "No id here."))).build());
    requests.onNext(ScreenItemStreamRequest.newBuilder().setRequest(item("last", text("q", "Why is the sky blue?"))).build());
    requests.onCompleted();

    assertEquals(Status.Code.OK, answers.awaitEnd(40).getCode());
    assertEquals(Map.of("first", 1, "empty", 1, "#3", 1, "last", 1), answers.counts());
    ScreenItemStreamResponse noId = answers.answer("#3");
    assertTrue(noId.hasError(), noId.toString());
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), noId.getError().getCode());
    assertEquals("ITEM_ID_MISSING", noId.getError().getReason());
    ScreenItemStreamResponse empty = answers.answer("empty");
    assertTrue(empty.hasError(), empty.toString());
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), empty.getError().getCode());
    assertEquals("ITEM_EMPTY", empty.getError().getReason());
    for (String id : List.of("first", "last")) {
      assertTrue(answers.answer(id).hasResponse(), answers.answer(id).toString());
      assertEquals(Decision.DECISION_ALLOW, answers.answer(id).getResponse().getVerdict().getDecision(),
          describe(answers.answer(id).getResponse()));
    }
  }
}
