package io.screenmesh.tests;

import static io.screenmesh.tests.Screening.item;
import static io.screenmesh.tests.Screening.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.ModalityOutcome;
import io.screenmesh.fusion.v1.PartResult;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Calls with text go through the front door while text-screening errors (its queue holds one
 * text, so concurrent callers get RESOURCE_EXHAUSTED SERVER_BUSY), hangs (SIGSTOP: the
 * connection stays open and nothing is answered) and is killed. Under the default policy no
 * item whose text was not screened may be allowed: every ALLOW has its text part SCREENED,
 * and while text-screening is hung or dead every item is BLOCKed. Every call gets a verdict,
 * and a batch stream cut short by its deadline ends with that status, never as a clean end.
 *
 * <p>About 300 calls by default; {@code -Dscreenmesh.failclosed.calls=N} sets the calls of
 * each phase (bench/fail-closed.sh runs the 10,000-call version). Runs its own mesh, because it
 * stops and kills a member of it.
 */
class FailClosedIT {

  private static final int CALLERS = 8;
  private static final int CALLS = Integer.getInteger("screenmesh.failclosed.calls", 100);
  // Hung calls each wait out the front door's 2 s text budget: fewer of them keep the test short.
  private static final int HUNG_CALLS = Math.max(CALLERS, CALLS / 2);
  private static final String PROMPT = "Please summarise the attached quarterly report in three short bullet points. ";

  /** What one phase saw. */
  private static final class Tally {
    final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    final List<String> allowedUnscreened = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<String> failedCalls = java.util.Collections.synchronizedList(new ArrayList<>());

    void count(String what) {
      counts.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    int get(String what) {
      AtomicInteger n = counts.get(what);
      return n == null ? 0 : n.get();
    }

    /** Calls whose item was blocked without its text screened, whatever the reason. */
    int blockedUnscreened() {
      return counts.entrySet().stream().filter(e -> e.getKey().startsWith("BLOCK unscreened"))
          .mapToInt(e -> e.getValue().get()).sum();
    }

    @Override
    public String toString() {
      return counts + " failed calls " + failedCalls.size();
    }
  }

  @Test
  void noItemWithTextIsAllowedUnscreenedWhileTextScreeningErrorsHangsOrDies() throws Exception {
    Map<MeshService, List<String>> flags = Map.of(MeshService.TEXT, List.of(
        "-Dscreenmesh.text.batch.queue-capacity=1", "-Dscreenmesh.text.batch.concurrency=1",
        "-Dscreenmesh.text.batch.max-size=1"));
    try (Mesh mesh = Mesh.start("fail-closed", flags)) {
      FusionCheckerServiceGrpc.FusionCheckerServiceBlockingStub front =
          FusionCheckerServiceGrpc.newBlockingStub(mesh.channel(MeshService.FUSION));
      front.withDeadlineAfter(Screening.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
          .screenItem(item("warm-up", text("q", "Hello")));

      Tally erroring = run(front, "erroring", CALLS);
      assertEquals(List.of(), erroring.allowedUnscreened, "allowed without screening while text-screening errored");
      assertTrue(erroring.get("BLOCK unscreened SERVER_BUSY") > 0,
          "text-screening with a one-text queue never refused a part: " + erroring);

      mesh.pause(MeshService.TEXT);
      Tally hung;
      StreamEnd cut;
      try {
        cut = streamCutShortByItsDeadline(mesh);
        hung = run(front, "hung", HUNG_CALLS);
      } finally {
        mesh.resume(MeshService.TEXT);
      }
      assertEquals(List.of(), hung.allowedUnscreened, "allowed without screening while text-screening hung");
      assertEquals(HUNG_CALLS, hung.blockedUnscreened(), "every hung call blocked: " + hung);
      // Its items may all be answered (BLOCK) just before the deadline; what must never be
      // seen is a clean end that lacks answers, or an answer that allows.
      assertTrue(cut.answers() == cut.sent() || cut.status().getCode() != Status.Code.OK,
          "a stream that lost answers ended as if clean: " + cut);
      assertEquals(0, cut.allowed(), "a stream item was allowed while text-screening hung: " + cut);

      Tally recovered = run(front, "recovered", CALLERS);
      assertEquals(List.of(), recovered.allowedUnscreened);
      assertTrue(recovered.get("ALLOW screened") > 0, "text-screening did not recover after SIGCONT: " + recovered);

      Thread killer = Thread.ofPlatform().start(() -> {
        try {
          Thread.sleep(200);
          mesh.kill(MeshService.TEXT);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      Tally killed = run(front, "killed", CALLS);
      killer.join(TimeUnit.SECONDS.toMillis(30));
      assertEquals(List.of(), killed.allowedUnscreened, "allowed without screening after text-screening was killed");
      Tally dead = run(front, "dead", CALLERS * 2);
      assertEquals(CALLERS * 2, dead.blockedUnscreened(), "every call after the kill blocked: " + dead);

      for (Tally t : List.of(erroring, hung, recovered, killed, dead)) {
        assertEquals(List.of(), t.failedCalls, "every call gets a verdict");
      }
      assertTrue(mesh.isAlive(MeshService.FUSION), "the front door died");
      System.out.printf("fail-closed: erroring %s; hung %s; recovered %s; killed %s; dead %s; stream cut %s%n",
          erroring, hung, recovered, killed, dead, cut);
    }
  }

  /** {@code calls} unary calls with one text part each, over {@link #CALLERS} threads. */
  private static Tally run(FusionCheckerServiceGrpc.FusionCheckerServiceBlockingStub front, String phase, int calls)
      throws InterruptedException {
    Tally tally = new Tally();
    AtomicInteger next = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < CALLERS; c++) {
      threads.add(Thread.ofPlatform().name(phase + "-" + c).start(() -> {
        for (int n = next.getAndIncrement(); n < calls; n = next.getAndIncrement()) {
          String id = phase + "-" + n;
          try {
            ScreenItemResponse r = front.withDeadlineAfter(Screening.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                .screenItem(item(id, text("q", PROMPT.repeat(1 + n % 20))));
            record(tally, r);
          } catch (StatusRuntimeException e) {
            tally.failedCalls.add(id + ": " + e.getStatus());
          }
        }
      }));
    }
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(Screening.CALL_DEADLINE_SECONDS * (calls / CALLERS + 2)));
    }
    return tally;
  }

  private static void record(Tally tally, ScreenItemResponse r) {
    PartResult p = r.getParts(0);
    boolean screened = p.getOutcome() == ModalityOutcome.MODALITY_OUTCOME_SCREENED;
    Decision d = r.getVerdict().getDecision();
    if (d == Decision.DECISION_ALLOW && !screened) {
      tally.allowedUnscreened.add(r.getId() + ": " + Screening.describe(r) + " " + p.getOutcome() + " " + p.getError());
    }
    String name = d.name().substring("DECISION_".length()) + (screened ? " screened" : " unscreened "
        + (p.getError().getReason().isEmpty() ? Status.fromCodeValue(p.getError().getCode()).getCode() : p.getError().getReason()));
    tally.count(name);
  }

  private record StreamEnd(Status status, int answers, int sent, long allowed) { }

  /**
   * A batch stream whose 1 s deadline passes while text-screening is stopped: either every
   * item is answered, or the stream ends with a failure status (DEADLINE_EXCEEDED), so that a
   * reader cannot take missing answers for a clean run.
   */
  private static StreamEnd streamCutShortByItsDeadline(Mesh mesh) throws Exception {
    StreamAnswers answers = new StreamAnswers();
    StreamObserver<ScreenItemStreamRequest> requests = FusionCheckerServiceGrpc.newStub(mesh.channel(MeshService.FUSION))
        .withDeadlineAfter(1, TimeUnit.SECONDS)
        .screenItemStream(answers);
    int sent = 64;
    for (int i = 0; i < sent; i++) {
      requests.onNext(ScreenItemStreamRequest.newBuilder().setRequest(item("stream-" + i, text("q", PROMPT))).build());
    }
    requests.onCompleted();
    Status status = answers.awaitEnd(Screening.CALL_DEADLINE_SECONDS);
    long allowed = answers.counts().keySet().stream().map(answers::answer)
        .filter(a -> a.hasResponse() && a.getResponse().getVerdict().getDecision() == Decision.DECISION_ALLOW).count();
    return new StreamEnd(status, answers.size(), sent, allowed);
  }
}
