package io.screenmesh.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.common.v1.Modality;
import io.screenmesh.fusion.v1.ModalityOutcome;
import io.screenmesh.fusion.v1.PartResult;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PartAdmissionTest {

  private static final Modality IMAGE = Modality.MODALITY_IMAGE;
  private static final PartResult SCREENED = PartResult.newBuilder().setOutcome(ModalityOutcome.MODALITY_OUTCOME_SCREENED).build();
  private static final PartResult UNAVAILABLE =
      PartResult.newBuilder().setOutcome(ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE).build();

  // Image budget 5 s: an answer is slow (congestion) only past 2.5 s, or when it says UNAVAILABLE.
  private final PartAdmission admission = new PartAdmission(FusionSettings.defaults(), 64);

  /** A part the test answers by hand; started counts the parts the admission let go. */
  private final List<CompletableFuture<PartResult>> sent = new ArrayList<>();

  private Uni<PartResult> part() {
    return admission.admit(IMAGE, () -> {
      CompletableFuture<PartResult> f = new CompletableFuture<>();
      synchronized (sent) {
        sent.add(f);
      }
      return Uni.createFrom().completionStage(f);
    });
  }

  @Test
  void partsWaitBeyondTheLimitAndFastAnswersLetMoreGo() {
    List<PartResult> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      part().subscribe().with(answers::add);
    }
    assertEquals(PartAdmission.INITIAL, sent.size(), "only the initial limit goes at once");
    assertEquals(PartAdmission.INITIAL, admission.inFlight(IMAGE));
    // Each fast answer grows the limit by one until the first congestion: two more go per answer.
    sent.get(0).complete(SCREENED);
    assertEquals(PartAdmission.INITIAL + 2, sent.size());
    assertEquals(PartAdmission.INITIAL + 1, admission.limit(IMAGE), 1e-9);
    for (int i = 1; i < 20; i++) {
      sent.get(i).complete(SCREENED);
    }
    assertEquals(20, answers.size());
    assertEquals(0, admission.inFlight(IMAGE));
  }

  @Test
  void aPartWithoutAnAnswerShrinksTheLimitOncePerRound() {
    for (int i = 0; i < 12; i++) {
      part().subscribe().with(r -> { });
    }
    for (int i = 0; i < 4; i++) {
      sent.get(i).complete(SCREENED); // slow start: 4 -> 8
    }
    double grown = admission.limit(IMAGE);
    assertEquals(8, grown, 1e-9);
    // Two parts of the same round fail: the limit shrinks once, to 0.7 of itself.
    sent.get(4).complete(UNAVAILABLE);
    sent.get(5).complete(UNAVAILABLE);
    assertEquals(grown * 0.7, admission.limit(IMAGE), 1e-9);
    // After the shrink growth is additive: one over the limit per answer.
    double shrunk = admission.limit(IMAGE);
    sent.get(6).complete(SCREENED);
    assertEquals(shrunk + 1 / shrunk, admission.limit(IMAGE), 1e-9);
  }

  @Test
  void aCancelledWaitingPartLeavesTheLineAndACancelledSentPartFreesItsPlace() {
    List<Cancellable> calls = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      calls.add(part().subscribe().with(r -> { }));
    }
    assertEquals(4, sent.size());
    calls.get(5).cancel(); // waiting: never sent
    calls.get(0).cancel(); // sent: its place goes to the next in line (the fifth)
    assertEquals(5, sent.size());
    assertEquals(4, admission.inFlight(IMAGE));
    for (int i = 1; i < 5; i++) {
      sent.get(i).complete(SCREENED);
    }
    assertEquals(5, sent.size(), "the cancelled waiting part was never sent");
    assertEquals(0, admission.inFlight(IMAGE));
  }

  @Test
  void everyPartIsAnsweredOnceUnderConcurrentAnswersAndCancellations() throws Exception {
    int n = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicInteger answered = new AtomicInteger();
    ConcurrentLinkedQueue<Cancellable> toCancel = new ConcurrentLinkedQueue<>();
    CountDownLatch ends = new CountDownLatch(n);
    try {
      for (int i = 0; i < n; i++) {
        boolean cancel = i % 10 == 0;
        Uni<PartResult> u = admission.admit(IMAGE, () -> Uni.createFrom().item(() -> {
          // Answered on another thread after a moment, sometimes as UNAVAILABLE.
          return ThreadLocalRandom.current().nextInt(20) == 0 ? UNAVAILABLE : SCREENED;
        }).emitOn(pool)).onTermination().invoke(ends::countDown);
        Cancellable c = u.subscribe().with(r -> answered.incrementAndGet());
        if (cancel) {
          toCancel.add(c);
        }
      }
      toCancel.forEach(Cancellable::cancel);
      assertTrue(ends.await(30, TimeUnit.SECONDS), "every part ended, answered or cancelled");
      assertTrue(answered.get() >= n - toCancel.size() && answered.get() <= n, "answers: " + answered.get());
      // Places are all given back.
      long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (admission.inFlight(IMAGE) != 0 && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      assertEquals(0, admission.inFlight(IMAGE));
    } finally {
      pool.shutdownNow();
    }
  }
}
