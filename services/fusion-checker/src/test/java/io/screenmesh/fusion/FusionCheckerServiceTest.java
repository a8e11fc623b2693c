package io.screenmesh.fusion;

import static io.screenmesh.fusion.testing.Findings.finding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.contract.AuditChain;
import io.screenmesh.fusion.testing.FaultInjectionPeer.Fault;
import io.screenmesh.fusion.testing.FaultInjectionPeers;
import io.screenmesh.fusion.testing.FaultInjectionPeersResource;
import io.screenmesh.fusion.testing.FaultInjectionPeersResource.InjectPeers;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.ModalityOutcome;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import io.screenmesh.fusion.v1.ScreenItemStreamResponse;
import io.screenmesh.services.common.GrpcErrors;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The packaged front door in Quarkus, called over its real gRPC port, with
 * {@link FaultInjectionPeers} in place of the modality services. Checks what only the
 * running service can show: statuses with ErrorInfo reasons on the wire, the caller's
 * deadline read from the gRPC context, cancellation of a bidi stream reaching the peers,
 * and a peer dying under a bidi stream. The peer-killing test runs last because the peer
 * stays dead.
 */
@QuarkusTest
@WithTestResource(FaultInjectionPeersResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FusionCheckerServiceTest {

  private static final long WAIT_SECONDS = 30;

  @InjectPeers
  FaultInjectionPeers peers;

  @TestHTTPResource("/")
  URI uri;

  private ManagedChannel channel;

  @BeforeEach
  void connect() {
    peers.reset();
    channel = NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort()).usePlaintext()
        .maxInboundMessageSize(32 * 1024 * 1024).build();
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private FusionCheckerServiceGrpc.FusionCheckerServiceBlockingStub blocking() {
    return FusionCheckerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static Part text(String id, String t) {
    return Part.newBuilder().setId(id).setText(t).build();
  }

  private static Part image(String id) {
    return Part.newBuilder().setId(id).setImage(ByteString.copyFromUtf8("\u0089PNG bytes")).build();
  }

  private static ScreenItemRequest item(String id, Part... parts) {
    return ScreenItemRequest.newBuilder().setId(id).addAllParts(List.of(parts)).build();
  }

  @Test
  @Order(1)
  void screensAnItemEndToEndThroughTheService() {
    peers.image.findings(finding(Category.CATEGORY_JAILBREAK, Severity.SEVERITY_MEDIUM));
    ScreenItemResponse r = blocking().screenItem(item("it-1", text("q", "what does this say?"), image("img")));
    assertEquals("it-1", r.getId());
    assertEquals("default", r.getPolicy());
    assertEquals("fusion-checker", r.getProcessing().getService());
    assertEquals(FaultInjectionPeers.sanitizedText("what does this say?"), r.getParts(0).getText());
    // A MEDIUM jailbreak in the image with a clean prompt is a cross-modal injection: BLOCK.
    assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision());
    assertEquals(Category.CATEGORY_CROSS_MODAL_INJECTION, r.getVerdict().getReasons(0).getCategory());
  }

  @Test
  @Order(1)
  void healthReportsServing() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS);
    for (String service : List.of("", FusionCheckerServiceGrpc.SERVICE_NAME)) {
      assertEquals(HealthCheckResponse.ServingStatus.SERVING,
          health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus(), service);
    }
  }

  @Test
  @Order(2)
  void invalidItemsGetTheirStatusAndReason() {
    assertStatus(Status.Code.INVALID_ARGUMENT, "ITEM_EMPTY", item("e"));
    Part[] seventeen = new Part[17];
    for (int i = 0; i < seventeen.length; i++) {
      seventeen[i] = text("", "part " + i);
    }
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, "ITEM_TOO_MANY_PARTS", item("big", seventeen));
    assertStatus(Status.Code.INVALID_ARGUMENT, "PART_EMPTY", item("x", Part.newBuilder().setId("nothing").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, "PART_ID_DUPLICATE", item("d", text("a", "1"), text("a", "2")));
    assertStatus(Status.Code.INVALID_ARGUMENT, "POLICY_UNKNOWN",
        item("p", text("a", "1")).toBuilder().setPolicy("tenant-that-does-not-exist").build());
    assertEquals(0, peers.text.calls(), "nothing invalid reaches a modality service");
  }

  @Test
  @Order(3)
  void callersDeadlineBoundsTheFanOutAndTheItemFailsClosed() {
    peers.image.fault(Fault.HANG);
    // The image budget is 30 s here; the caller allows 3 s. The fan-out must end before the
    // caller's deadline (less the margin) so the caller gets a verdict, not DEADLINE_EXCEEDED.
    ScreenItemResponse r = FusionCheckerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(3, TimeUnit.SECONDS)
        .screenItem(item("late", text("t", "hello"), image("img")));
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE, r.getParts(1).getOutcome());
    assertEquals(Status.Code.DEADLINE_EXCEEDED.value(), r.getParts(1).getError().getCode());
    assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision());
    assertEquals(Category.CATEGORY_SCREENING_UNAVAILABLE, r.getVerdict().getReasons(0).getCategory());
  }

  @Test
  @Order(4)
  void streamAnswersEveryItemAndCompletes() throws Exception {
    List<ScreenItemStreamRequest> in = List.of(
        stream(item("s1", text("t", "one"))),
        stream(item("", text("t", "anonymous"))),
        stream(item("s3")),
        stream(item("s4", text("t", "four"), image("i"))));
    Map<String, ScreenItemStreamResponse> out = runStream(in).get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(List.of("#2", "s1", "s3", "s4"), out.keySet().stream().sorted().toList());
    assertEquals("ITEM_ID_MISSING", out.get("#2").getError().getReason());
    assertEquals("ITEM_EMPTY", out.get("s3").getError().getReason());
    assertEquals(Decision.DECISION_ALLOW, out.get("s1").getResponse().getVerdict().getDecision());
    assertEquals(2, out.get("s4").getResponse().getPartsCount());
  }

  @Test
  @Order(5)
  void cancellingTheStreamCancelsTheCallsToThePeers() {
    peers.image.fault(Fault.HANG);
    ClientCallStreamObserver<ScreenItemStreamRequest> call = openStream(requests -> { });
    List.of(stream(item("c1", image("a"))), stream(item("c2", image("b"))), stream(item("c3", image("c"))))
        .forEach(call::onNext);
    awaitTrue(() -> peers.image.calls() == 3, "three image calls reached the peer");
    call.cancel("test cancels", null);
    awaitTrue(() -> peers.image.cancelled() == 3, "the peer's three calls were cancelled");
  }

  @Test
  @Order(6)
  void aStreamIsReadOnlyAsFastAsItemsAreScreened() throws InterruptedException {
    // Every text call hangs, so the front door holds stream-concurrency (32) items and must
    // read no further; of those, only as many as the text modality's admission limit
    // (PartAdmission) reach text-screening, the rest wait for a place. The caller sends only while
    // its stream is ready (gRPC flow control): a front door that reads ahead into a buffer would
    // let it send all 300 items of 16 KiB.
    peers.text.fault(Fault.HANG);
    int total = 300;
    String big = "a".repeat(16 * 1024);
    AtomicInteger sent = new AtomicInteger();
    ClientCallStreamObserver<ScreenItemStreamRequest> call = openStream(requests ->
        requests.setOnReadyHandler(() -> {
          while (requests.isReady() && sent.get() < total) {
            requests.onNext(stream(item("f" + sent.getAndIncrement(), text("t", big))));
          }
        }));
    awaitTrue(() -> peers.text.calls() > 0, "items in flight");
    // The sender stalls once the windows are full; a negative can only be seen by waiting,
    // and the wait can only make this test miss a regression, never fail a correct server.
    int before;
    do {
      before = sent.get();
      Thread.sleep(500);
    } while (sent.get() != before && before < total);
    assertTrue(sent.get() < total, "the caller could send every item: the front door read ahead");
    assertTrue(peers.text.calls() <= 32, "no item beyond the concurrency bound was started: " + peers.text.calls());
    call.cancel("test done", null);
    // A place freed by one item's cancellation can go to a waiting item of the same stream before
    // the cancellation reaches that one, which is then sent and cancelled at once: count what
    // reached the peer when the dust settles, never more than the stream's items in flight.
    awaitTrue(() -> peers.text.cancelled() == peers.text.calls(), "every call that reached the peer was cancelled");
    assertTrue(peers.text.calls() <= 32, "calls after the cancellation: " + peers.text.calls());
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void everyItemAnsweredFailClosedWhenTheTextPeerDiesMidStream() throws Exception {
    peers.text.answerDelayMillis(2).dieAfterAnswers(10);
    List<ScreenItemStreamRequest> in = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      in.add(stream(item("k" + i, text("t", "caption " + i), image("i"))));
    }
    Map<String, ScreenItemStreamResponse> out = runStream(in).get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertTrue(peers.text.dead());
    assertEquals(100, out.size(), "one answer per item");
    long blockedUnscreened = out.values().stream()
        .filter(r -> r.getResponse().getParts(0).getOutcome() == ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE)
        .peek(r -> assertEquals(Decision.DECISION_BLOCK, r.getResponse().getVerdict().getDecision(), r.getId()))
        .count();
    assertTrue(blockedUnscreened >= 100 - 10 - 32, "items after the death fail closed: " + blockedUnscreened);
  }

  private CompletableFuture<Map<String, ScreenItemStreamResponse>> runStream(List<ScreenItemStreamRequest> in) {
    CompletableFuture<Map<String, ScreenItemStreamResponse>> done = new CompletableFuture<>();
    Map<String, ScreenItemStreamResponse> answers = new ConcurrentHashMap<>();
    var requests = FusionCheckerServiceGrpc.newStub(channel).withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
        .screenItemStream(new ClientResponseObserver<ScreenItemStreamRequest, ScreenItemStreamResponse>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<ScreenItemStreamRequest> requests) { }

          @Override
          public void onNext(ScreenItemStreamResponse r) {
            if (answers.put(r.getId(), r) != null) {
              done.completeExceptionally(new AssertionError("answered twice: " + r.getId()));
            }
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            done.complete(answers);
          }
        });
    // Sent at once: gRPC flow control, not this test, paces them.
    in.forEach(requests::onNext);
    requests.onCompleted();
    return done;
  }

  /** Opens a stream whose answers are ignored; {@code beforeStart} may install a ready handler. */
  private ClientCallStreamObserver<ScreenItemStreamRequest> openStream(
      Consumer<ClientCallStreamObserver<ScreenItemStreamRequest>> beforeStart) {
    AtomicReference<ClientCallStreamObserver<ScreenItemStreamRequest>> call = new AtomicReference<>();
    FusionCheckerServiceGrpc.newStub(channel)
        .screenItemStream(new ClientResponseObserver<ScreenItemStreamRequest, ScreenItemStreamResponse>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<ScreenItemStreamRequest> requests) {
            call.set(requests);
            beforeStart.accept(requests);
          }

          @Override
          public void onNext(ScreenItemStreamResponse r) { }

          @Override
          public void onError(Throwable t) { }

          @Override
          public void onCompleted() { }
        });
    return call.get();
  }

  @Test
  @Order(7)
  void everyAnsweredItemIsInTheVerifiableAuditLogWithoutItsContent() throws Exception {
    ScreenItemResponse r = blocking().screenItem(item("audited-1", text("q", "a caption to audit")));
    assertStatus(Status.Code.INVALID_ARGUMENT, "ITEM_EMPTY", item("audited-2"));
    Path log = Path.of(ConfigProvider.getConfig().getValue("screenmesh.audit.file", String.class));
    List<String> lines = Files.readAllLines(log);
    AuditChain.Report report = AuditChain.verify(List.of(log));
    assertTrue(report.ok(), report.problems().toString());
    String screened = lines.stream().filter(l -> l.contains("\"item\":\"audited-1\"")).findFirst().orElseThrow();
    assertTrue(screened.contains("\"decision\":\"" + r.getVerdict().getDecision().name() + "\""), screened);
    assertTrue(screened.contains("\"principal\":\"anonymous\""), screened);
    assertTrue(screened.contains("\"request_sha256\":\""), screened);
    assertTrue(!screened.contains("a caption to audit"), "content is kept out unless configured: " + screened);
    String refused = lines.stream().filter(l -> l.contains("\"item\":\"audited-2\"")).findFirst().orElseThrow();
    assertTrue(refused.contains("\"decision\":\"REFUSED\"") && refused.contains("\"reason\":\"ITEM_EMPTY\""), refused);
  }

  private void assertStatus(Status.Code code, String reason, ScreenItemRequest request) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> blocking().screenItem(request));
    assertEquals(code, e.getStatus().getCode(), reason);
    assertEquals(reason, GrpcErrors.reasonOf(e), "ErrorInfo reason for " + code);
  }

  private static ScreenItemStreamRequest stream(ScreenItemRequest r) {
    return ScreenItemStreamRequest.newBuilder().setRequest(r).build();
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    long end = System.nanoTime() + Duration.ofSeconds(WAIT_SECONDS).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + WAIT_SECONDS + " s: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for: " + what);
      }
    }
  }
}
