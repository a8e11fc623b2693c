package io.screenmesh.fusion;

import static io.screenmesh.fusion.testing.Findings.finding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.DetectorOutcome;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.common.v1.StageTiming;
import io.screenmesh.fusion.policy.CrossModalRule;
import io.screenmesh.fusion.policy.PolicyLoader;
import io.screenmesh.fusion.policy.VerdictFusion;
import io.screenmesh.fusion.testing.FaultInjectionPeer;
import io.screenmesh.fusion.testing.FaultInjectionPeer.Fault;
import io.screenmesh.fusion.testing.FaultInjectionPeers;
import io.screenmesh.fusion.v1.ModalityOutcome;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.PartResult;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import io.screenmesh.fusion.v1.ScreenItemStreamResponse;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.eclipse.microprofile.context.spi.ContextManagerProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fan-out over real gRPC connections to {@link FaultInjectionPeers}: slow, refusing,
 * unavailable and dying peers, caller deadlines, budgets, cancellation and the batch stream.
 * The screener is driven directly; {@link FusionCheckerServiceTest} goes through the
 * service's own gRPC endpoint.
 */
class FanOutFaultInjectionTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ByteString IMAGE = ByteString.copyFromUtf8("\u0089PNG fake image bytes");
  private static final ByteString AUDIO = ByteString.copyFromUtf8("RIFF fake wav bytes");

  private FaultInjectionPeers peers;
  private final List<ManagedChannel> channels = new ArrayList<>();

  /**
   * Mutiny's context-propagation interceptor registers the context manager provider on first
   * use and throws "already set" when two threads get there at once, which the tests that start
   * several callers together did on a fresh JVM. Registering it here, once, removes the race.
   */
  @BeforeAll
  static void registerContextManagerOnce() {
    ContextManagerProvider.instance().getContextManager();
  }

  @BeforeEach
  void startPeers() throws Exception {
    peers = FaultInjectionPeers.start();
  }

  @AfterEach
  void stopPeers() throws Exception {
    channels.forEach(ManagedChannel::shutdownNow);
    peers.close();
  }

  private ModalityFanOut fanOut(FusionSettings settings) {
    ManagedChannel t = peers.text.channel();
    ManagedChannel i = peers.image.channel();
    ManagedChannel a = peers.audio.channel();
    channels.addAll(List.of(t, i, a));
    return new ModalityFanOut(t, i, a, settings);
  }

  private ItemScreener screener(FusionSettings settings) {
    return new ItemScreener(settings, new PolicyRegistry(PolicyLoader.loadBundled(), "default"), fanOut(settings));
  }

  /**
   * Budgets far above anything a healthy peer needs, so that a loaded test machine cannot
   * turn a healthy call into a deadline; the tests of deadlines set their own.
   */
  private static final FusionSettings GENEROUS = new FusionSettings(16, 32, Duration.ofMillis(25),
      Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30));

  private ItemScreener screener() {
    return screener(GENEROUS);
  }

  private static ScreenItemRequest item(String id, Part... parts) {
    return ScreenItemRequest.newBuilder().setId(id).addAllParts(List.of(parts)).build();
  }

  private static Part text(String t) {
    return Part.newBuilder().setText(t).build();
  }

  private static Part image() {
    return Part.newBuilder().setImage(IMAGE).build();
  }

  @Test
  void healthyPeersResultsAreCopiedAndFused() {
    peers.image.findings(finding(Category.CATEGORY_PROMPT_INJECTION, Severity.SEVERITY_HIGH));
    ScreenItemResponse r = screener().screen(item("i1", text("what is in this picture?"),
        Part.newBuilder().setId("photo").setImage(IMAGE).build(),
        Part.newBuilder().setAudio(AUDIO).build()), null).await().atMost(WAIT);

    assertEquals("i1", r.getId());
    assertEquals("default", r.getPolicy());
    assertEquals(List.of("p0", "photo", "p2"), r.getPartsList().stream().map(PartResult::getPartId).toList());
    for (PartResult p : r.getPartsList()) {
      assertEquals(ModalityOutcome.MODALITY_OUTCOME_SCREENED, p.getOutcome(), p.getPartId());
      assertEquals(FaultInjectionPeers.PEER_SERVICE, p.getProcessing().getService(), "the peer's processing info is copied");
      assertFalse(p.hasError());
    }
    assertEquals(FaultInjectionPeers.sanitizedText("what is in this picture?"), r.getParts(0).getText());
    assertEquals(FaultInjectionPeers.sanitizedBytes(IMAGE), r.getParts(1).getImagePng());
    assertEquals(FaultInjectionPeers.sanitizedBytes(AUDIO), r.getParts(2).getAudioWav());

    Finding copied = r.getParts(1).getFindings(0);
    assertEquals("photo", copied.getPartId(), "findings name their part");
    assertEquals(Modality.MODALITY_IMAGE, copied.getModality());
    // The image's injection while the prompt is clean is cross-modal, and the item is blocked.
    assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision());
    assertTrue(r.getParts(1).getFindingsList().stream().anyMatch(f -> f.getDetector().equals(CrossModalRule.DETECTOR)));

    assertEquals("fusion-checker", r.getProcessing().getService());
    assertEquals(List.of("fanout", "fusion"),
        r.getProcessing().getTimingsList().stream().map(StageTiming::getStage).toList());
    assertEquals(1, peers.text.calls());
    assertEquals(1, peers.image.calls());
    assertEquals(1, peers.audio.calls());
  }

  @Test
  void slowPeerRunsIntoTheCallersDeadlineAndTheItemFailsClosed() {
    peers.image.fault(Fault.HANG);
    // Long enough for the healthy text call on a loaded machine; the hanging image call uses all of it.
    Deadline caller = Deadline.after(3, TimeUnit.SECONDS);
    ScreenItemResponse r = screener().screen(item("slow", text("describe this"), image()), caller)
        .await().atMost(WAIT);

    PartResult img = r.getParts(1);
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE, img.getOutcome());
    assertEquals(Status.Code.DEADLINE_EXCEEDED.value(), img.getError().getCode());
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_SCREENED, r.getParts(0).getOutcome());
    assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision());
    assertEquals(Category.CATEGORY_SCREENING_UNAVAILABLE, r.getVerdict().getReasons(0).getCategory());
    assertEquals(VerdictFusion.UNAVAILABLE_DETECTOR, r.getVerdict().getReasons(0).getDetector());
    // The expired call is cancelled on the peer too, so it stops working for nobody.
    awaitTrue(() -> peers.image.cancelled() == 1, "the peer saw the call end");
  }

  @Test
  void budgetCapsACallWhenTheCallerSetNoDeadline() {
    peers.audio.fault(Fault.HANG);
    FusionSettings tight = new FusionSettings(16, 32, Duration.ofMillis(25), Duration.ofSeconds(30),
        Duration.ofSeconds(30), Duration.ofMillis(300));
    ScreenItemResponse r = screener(tight).screen(item("budget", Part.newBuilder().setAudio(AUDIO).build()), null)
        .await().atMost(WAIT);
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE, r.getParts(0).getOutcome());
    assertEquals(Status.Code.DEADLINE_EXCEEDED.value(), r.getParts(0).getError().getCode());
    assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision());
  }

  @Test
  void deadlineIsTheSoonerOfBudgetAndCallerLessMargin() {
    ModalityFanOut f = fanOut(FusionSettings.defaults());
    long budgetOnly = f.deadlineFor(Modality.MODALITY_TEXT, null).timeRemaining(TimeUnit.MILLISECONDS);
    assertTrue(budgetOnly > 1_000 && budgetOnly <= 2_000, "text budget 2 s: " + budgetOnly);
    long capped = f.deadlineFor(Modality.MODALITY_AUDIO, Deadline.after(60, TimeUnit.SECONDS))
        .timeRemaining(TimeUnit.MILLISECONDS);
    assertTrue(capped > 9_000 && capped <= 10_000, "audio budget 10 s caps a 60 s caller deadline: " + capped);
    long derived = f.deadlineFor(Modality.MODALITY_AUDIO, Deadline.after(3, TimeUnit.SECONDS))
        .timeRemaining(TimeUnit.MILLISECONDS);
    assertTrue(derived > 2_000 && derived <= 2_975, "3 s caller deadline less the 25 ms margin: " + derived);
    assertTrue(f.deadlineFor(Modality.MODALITY_TEXT, Deadline.after(10, TimeUnit.MILLISECONDS)).isExpired(),
        "a caller with less time than the margin gets an expired deadline");
  }

  @Test
  void failOpenPolicyAllowsWithANotice() {
    peers.image.fault(Fault.UNAVAILABLE);
    ScreenItemResponse r = screener().screen(item("open", text("hello"), image())
        .toBuilder().setPolicy("availability-first").build(), null).await().atMost(WAIT);
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE, r.getParts(1).getOutcome());
    assertEquals(Status.Code.UNAVAILABLE.value(), r.getParts(1).getError().getCode());
    assertEquals(Decision.DECISION_ALLOW, r.getVerdict().getDecision());
    assertEquals(Severity.SEVERITY_INFO, r.getVerdict().getReasons(0).getSeverity());
    assertEquals("availability-first", r.getPolicy());
  }

  @Test
  void peerRefusalRejectsThePartAndBlocks() {
    peers.image.fault(Fault.REFUSE);
    ScreenItemResponse r = screener().screen(item("bad", text("hello"), image()), null).await().atMost(WAIT);
    PartResult img = r.getParts(1);
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_REJECTED, img.getOutcome());
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), img.getError().getCode());
    assertEquals(FaultInjectionPeer.REFUSAL_REASON, img.getError().getReason(), "the peer's ErrorInfo reason is kept");
    assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision());
    assertEquals(Category.CATEGORY_MALFORMED_INPUT, r.getVerdict().getReasons(0).getCategory());
  }

  @Test
  void cancellingAnItemCancelsTheCallsInFlight() {
    peers.image.fault(Fault.HANG);
    Cancellable c = screener().screen(item("gone", image()), null).subscribe().with(r -> { }, t -> { });
    awaitTrue(() -> peers.image.calls() == 1, "the call reached the peer");
    c.cancel();
    awaitTrue(() -> peers.image.cancelled() == 1, "the peer's call was cancelled");
  }

  @Test
  void streamAnswersEveryItemOnceIncludingBadOnes() {
    List<ScreenItemStreamRequest> in = List.of(
        stream(item("a", text("one"))),
        stream(item("", text("no id"))),
        stream(item("c")),
        stream(item("d", text("x")).toBuilder().setPolicy("no-such-policy").build()),
        stream(item("e", text("two"), image())));
    List<ScreenItemStreamResponse> out = screener().screenStream(Multi.createFrom().iterable(in), null)
        .collect().asList().await().atMost(WAIT);
    Map<String, ScreenItemStreamResponse> byId = out.stream()
        .collect(Collectors.toMap(ScreenItemStreamResponse::getId, r -> r));
    assertEquals(5, out.size());
    assertEquals(Set.of("a", "#2", "c", "d", "e"), byId.keySet());
    assertEquals("ITEM_ID_MISSING", byId.get("#2").getError().getReason());
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), byId.get("#2").getError().getCode());
    assertEquals("ITEM_EMPTY", byId.get("c").getError().getReason());
    assertEquals("POLICY_UNKNOWN", byId.get("d").getError().getReason());
    assertEquals(Decision.DECISION_ALLOW, byId.get("a").getResponse().getVerdict().getDecision(), byId.get("a").toString());
    assertEquals(2, byId.get("e").getResponse().getPartsCount());
  }

  @Test
  void streamConcurrencyIsBounded() {
    peers.text.answerDelayMillis(20);
    FusionSettings four = new FusionSettings(16, 4, Duration.ofMillis(25), Duration.ofSeconds(30),
        Duration.ofSeconds(30), Duration.ofSeconds(30));
    List<ScreenItemStreamRequest> in = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      in.add(stream(item("item-" + i, text("text " + i))));
    }
    List<ScreenItemStreamResponse> out = screener(four).screenStream(Multi.createFrom().iterable(in), null)
        .collect().asList().await().atMost(WAIT);
    assertEquals(40, out.size());
    assertTrue(peers.text.maxInFlight() <= 4, "at most 4 items in flight, saw " + peers.text.maxInFlight());
    assertTrue(peers.text.maxInFlight() > 1, "items overlap, saw " + peers.text.maxInFlight());
  }

  @Test
  void everyItemIsAnsweredFailClosedWhenAPeerDiesMidStream() {
    peers.text.answerDelayMillis(2).dieAfterAnswers(10);
    List<ScreenItemStreamRequest> in = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      in.add(stream(item("item-" + i, text("caption " + i), image())));
    }
    List<ScreenItemStreamResponse> out = screener().screenStream(Multi.createFrom().iterable(in), null)
        .collect().asList().await().atMost(WAIT);

    assertTrue(peers.text.dead(), "the text peer was killed");
    assertEquals(80, out.size(), "one answer per item");
    Set<String> ids = new HashSet<>();
    int unavailable = 0;
    for (ScreenItemStreamResponse r : out) {
      assertTrue(ids.add(r.getId()), "answered twice: " + r.getId());
      assertTrue(r.hasResponse(), "a dead peer is not an item error: " + r);
      PartResult textPart = r.getResponse().getParts(0);
      if (textPart.getOutcome() == ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE) {
        unavailable++;
        assertEquals(Decision.DECISION_BLOCK, r.getResponse().getVerdict().getDecision(), r.getId());
      } else {
        assertEquals(ModalityOutcome.MODALITY_OUTCOME_SCREENED, textPart.getOutcome());
      }
    }
    assertTrue(unavailable >= 80 - 10 - 32, "items after the death fail closed, got " + unavailable);
  }

  @Test
  void aWriteOnAClosedConnectionIsATransportFailureButOurOwnStatusesAreNot() {
    assertTrue(ModalityFanOut.transportFailure(Status.UNKNOWN.withDescription("channel closed").asRuntimeException()));
    assertTrue(ModalityFanOut.transportFailure(Status.INTERNAL.withDescription(
        "Connection closed after GOAWAY. HTTP/2 error code: PROTOCOL_ERROR").asRuntimeException()));
    assertFalse(ModalityFanOut.transportFailure(Status.UNAVAILABLE.asRuntimeException()),
        "UNAVAILABLE is the channel's retry policy's");
    assertFalse(ModalityFanOut.transportFailure(
        io.screenmesh.services.common.ScreeningException.invalid("BAD_PART", "the part is malformed")));
  }

  @Test
  void bareResourceExhaustedIsATransportFailureNotTheCallersMalformedInput() {
    peers.image.fault(Fault.BARE_RESOURCE_EXHAUSTED);
    ScreenItemResponse r = screener().screen(item("goaway", text("hello"), image()), null).await().atMost(WAIT);
    PartResult img = r.getParts(1);
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE, img.getOutcome(), img.toString());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED.value(), img.getError().getCode(), "the peer's status is kept");
    assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision());
    assertEquals(List.of(Category.CATEGORY_SCREENING_UNAVAILABLE),
        r.getVerdict().getReasonsList().stream().map(Finding::getCategory).toList());
    assertEquals(2, peers.image.calls(), "a transport failure is sent once more, and only once");
  }

  @Test
  void anUnavailableServiceIsTriedAgainByTheChannelAndThenScreened() {
    peers.text.fault(Fault.UNAVAILABLE, 1);
    ScreenItemResponse r = screener().screen(item("retry", text("hello")), null).await().atMost(WAIT);
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_SCREENED, r.getParts(0).getOutcome(), r.toString());
    assertEquals(2, peers.text.calls());
    assertEquals(Decision.DECISION_ALLOW, r.getVerdict().getDecision());
  }

  @Test
  void anUnavailableServiceGetsTheServiceConfigsThreeAttemptsAndNoMore() {
    peers.text.fault(Fault.UNAVAILABLE);
    ScreenItemResponse r = screener().screen(item("down", text("hello")), null).await().atMost(WAIT);
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE, r.getParts(0).getOutcome(), r.toString());
    // The channel's policy retries UNAVAILABLE; the front door does not retry it again on top.
    assertEquals(3, peers.text.calls());
  }

  @Test
  void aFullQueueIsUnavailableAndNotSentAgain() {
    peers.text.fault(Fault.BUSY);
    ScreenItemResponse r = screener().screen(item("busy", text("hello")), null).await().atMost(WAIT);
    PartResult p = r.getParts(0);
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE, p.getOutcome(), p.toString());
    assertEquals("SERVER_BUSY", p.getError().getReason());
    assertEquals(1, peers.text.calls(), "a refusal with a reason is the service's answer, not a transport failure");
    assertEquals(Category.CATEGORY_SCREENING_UNAVAILABLE, r.getVerdict().getReasons(0).getCategory());
  }

  @Test
  void partsOverTheServicesLimitsAreRejectedWithTheirReasonWithoutACall() {
    FusionSettings small = new FusionSettings(16, 32, Duration.ofMillis(25), Duration.ofSeconds(30),
        Duration.ofSeconds(30), Duration.ofSeconds(30), new FusionSettings.PartLimits(10, IMAGE.size() - 1, AUDIO.size()));
    ScreenItemResponse r = screener(small).screen(item("big", text("x".repeat(11)), image(), text("x".repeat(10)),
        Part.newBuilder().setAudio(AUDIO).build()), null).await().atMost(WAIT);
    assertRejectedTooLarge(r.getParts(0), "TEXT_TOO_LARGE");
    assertRejectedTooLarge(r.getParts(1), "IMAGE_TOO_LARGE");
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_SCREENED, r.getParts(2).getOutcome(), "a text at the limit is sent");
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_SCREENED, r.getParts(3).getOutcome(), "a clip at the limit is sent");
    assertEquals(1, peers.text.calls(), "only the text within the limit was sent");
    assertEquals(0, peers.image.calls());
    assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision());
    assertEquals(Category.CATEGORY_MALFORMED_INPUT, r.getVerdict().getReasons(0).getCategory());
  }

  private static void assertRejectedTooLarge(PartResult p, String reason) {
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_REJECTED, p.getOutcome(), p.toString());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED.value(), p.getError().getCode());
    assertEquals(reason, p.getError().getReason());
  }

  @Test
  void omitSanitizedIsPassedOnAndLeavesEveryPartUnsanitized() {
    ScreenItemRequest request = item("bulk", text("hello"), image(), Part.newBuilder().setAudio(AUDIO).build())
        .toBuilder().setOmitSanitized(true).build();
    ScreenItemResponse r = screener().screen(request, null).await().atMost(WAIT);
    for (PartResult p : r.getPartsList()) {
      assertEquals(ModalityOutcome.MODALITY_OUTCOME_SCREENED, p.getOutcome());
      assertEquals(PartResult.SanitizedCase.SANITIZED_NOT_SET, p.getSanitizedCase(), p.getPartId());
    }
    assertEquals(1, peers.text.omitSanitizedCalls());
    assertEquals(1, peers.image.omitSanitizedCalls());
    assertEquals(1, peers.audio.omitSanitizedCalls());

    ScreenItemResponse kept = screener().screen(item("inline", text("hello")), null).await().atMost(WAIT);
    assertEquals(FaultInjectionPeers.sanitizedText("hello"), kept.getParts(0).getText());
    assertEquals(1, peers.text.omitSanitizedCalls(), "not asked for unless the caller did");
  }

  @Test
  void aStreamItemWaitingForCapacityGetsItsWholeBudget() {
    // One item at a time, 150 ms each, a 400 ms text budget: the fifth item waits ~600 ms for
    // its turn, which must not count against its budget.
    peers.text.answerDelayMillis(150);
    FusionSettings one = new FusionSettings(16, 1, Duration.ofMillis(25), Duration.ofMillis(400),
        Duration.ofSeconds(30), Duration.ofSeconds(30));
    List<ScreenItemStreamRequest> in = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      in.add(stream(item("queued-" + i, text("text " + i))));
    }
    List<ScreenItemStreamResponse> out = screener(one).screenStream(Multi.createFrom().iterable(in), null)
        .collect().asList().await().atMost(WAIT);
    assertEquals(5, out.size());
    for (ScreenItemStreamResponse r : out) {
      assertEquals(ModalityOutcome.MODALITY_OUTCOME_SCREENED, r.getResponse().getParts(0).getOutcome(), r.toString());
    }
  }

  @Test
  void massCancellationByOneCallerDoesNotFailOtherCallersParts() throws Exception {
    // The peers close a connection that carries more than 100 RST frames in 30 s, as HTTP/2
    // servers do by default against rapid reset; every cancelled call is one RST on the
    // front door's shared connection.
    stopPeers();
    peers = FaultInjectionPeers.start(100);
    peers.text.answerDelayMillis(250);
    ItemScreener screener = screener();
    // The connection is opened before the victims start: on a loaded machine its set-up alone
    // (1.4 s seen) ate most of the first victim call's 2 s service-config timeout.
    screener.screen(item("warm-up", text("a clean caption")), null).await().atMost(WAIT);
    List<ScreenItemResponse> victims = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean attacking = new java.util.concurrent.atomic.AtomicBoolean(true);
    List<Thread> callers = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      int caller = c;
      callers.add(Thread.ofPlatform().start(() -> {
        for (int n = 0; attacking.get(); n++) {
          victims.add(screener.screen(item("victim-" + caller + "-" + n, text("a clean caption")), null)
              .await().atMost(WAIT));
        }
      }));
    }
    for (int round = 0; round < 3; round++) {
      List<Cancellable> opened = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        opened.add(screener.screen(item("gone-" + round + "-" + i, text("never mind")), null)
            .subscribe().with(r -> { }, t -> { }));
      }
      Thread.sleep(100);
      opened.forEach(Cancellable::cancel);
      Thread.sleep(400);
    }
    attacking.set(false);
    for (Thread t : callers) {
      t.join(WAIT.toMillis());
    }
    assertTrue(peers.text.cancelled() > 100, "the flood went past the guard: " + peers.text.cancelled() + " cancelled");
    assertTrue(victims.size() >= 8, "the other callers kept screening: " + victims.size());
    for (ScreenItemResponse r : victims) {
      assertEquals(ModalityOutcome.MODALITY_OUTCOME_SCREENED, r.getParts(0).getOutcome(), r.toString());
      assertEquals(Decision.DECISION_ALLOW, r.getVerdict().getDecision(), r.toString());
    }
  }

  // Red-team regressions: under availability-first an image with an injection in its
  // metadata must not be allowed unscreened.

  private static ScreenItemRequest failOpenItem(String id) {
    return item(id, text("what does this poster say?"), image()).toBuilder().setPolicy("availability-first").build();
  }

  @Test
  void aCallerDeadlineShorterThanTheMarginIsNotAnOutage() {
    peers.image.findings(finding(Category.CATEGORY_PROMPT_INJECTION, Severity.SEVERITY_HIGH));
    ScreenItemResponse r = screener().screen(failOpenItem("short"), Deadline.after(10, TimeUnit.MILLISECONDS))
        .await().atMost(WAIT);
    assertEquals(Status.Code.DEADLINE_EXCEEDED.value(), r.getParts(1).getError().getCode());
    assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision());
  }

  @Test
  void anImageThatExhaustsItsBudgetIsNotAnOutage() {
    peers.image.fault(Fault.HANG);
    FusionSettings tight = new FusionSettings(16, 32, Duration.ofMillis(25), Duration.ofSeconds(30),
        Duration.ofMillis(300), Duration.ofSeconds(30));
    ScreenItemResponse r = screener(tight).screen(failOpenItem("slow-decode"), null).await().atMost(WAIT);
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE, r.getParts(1).getOutcome());
    assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision());
  }

  @Test
  void unscreenedMetadataTextFollowsTheTextRuleUnderAFailOpenPolicy() {
    // text-screening is down: the image service answers with its metadata-text detector FAILED.
    peers.image.detectors(DetectorRun.newBuilder().setDetector("image.metadata-text")
        .setOutcome(DetectorOutcome.DETECTOR_OUTCOME_FAILED)
        .setReason("TEXT_SCREENING_UNAVAILABLE: text screening is unreachable").build());
    ScreenItemResponse r = screener().screen(failOpenItem("no-text"), null).await().atMost(WAIT);
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_SCREENED, r.getParts(1).getOutcome());
    assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision());
  }

  /**
   * Cancelled and timed-out parts leave no outbound call open: every call the fan-out started
   * is ended by the transport, and the connection still screens afterwards. 1,000 calls here;
   * {@code -Dscreenmesh.test.cancellations=10000} runs the full count.
   */
  @Test
  void cancelledAndTimedOutPartsLeaveNoOutboundCallOpen() throws Exception {
    int calls = Integer.getInteger("screenmesh.test.cancellations", 1_000);
    peers.text.fault(Fault.HANG);
    ModalityFanOut fanOut = fanOut(GENEROUS);
    ItemScreener screener = new ItemScreener(GENEROUS, new PolicyRegistry(PolicyLoader.loadBundled(), "default"), fanOut);
    List<Cancellable> toCancel = new ArrayList<>();
    java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
    for (int n = 0; n < calls; n++) {
      // Half are cancelled by their caller; half run into the caller's deadline at the peer.
      Deadline deadline = n % 2 == 0 ? null : Deadline.after(100 + n % 50, TimeUnit.MILLISECONDS);
      Cancellable c = screener.screen(item("gone-" + n, text("never mind")), deadline)
          .subscribe().with(r -> answered.incrementAndGet(), t -> { });
      if (n % 2 == 0) {
        toCancel.add(c);
      }
    }
    awaitTrue(() -> peers.text.calls() >= calls / 2, "the calls reached the peer: " + peers.text.calls());
    toCancel.forEach(Cancellable::cancel);
    awaitTrue(() -> fanOut.callsEnded() == fanOut.callsStarted(),
        "every outbound call ended: " + fanOut.callsEnded() + " of " + fanOut.callsStarted());
    assertTrue(fanOut.callsStarted() >= calls, "every part was sent: " + fanOut.callsStarted());
    assertEquals(calls / 2, answered.get(), "the timed-out items were answered, the cancelled ones not");
    peers.text.fault(Fault.NONE);
    ScreenItemResponse after = screener.screen(item("after", text("a clean caption")), null).await().atMost(WAIT);
    assertEquals(ModalityOutcome.MODALITY_OUTCOME_SCREENED, after.getParts(0).getOutcome(), after.toString());
    awaitTrue(() -> fanOut.callsEnded() == fanOut.callsStarted(), "the last call ended");
  }

  private static ScreenItemStreamRequest stream(ScreenItemRequest r) {
    return ScreenItemStreamRequest.newBuilder().setRequest(r).build();
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + WAIT + ": " + what);
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
