package io.screenmesh.services.common.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.screenmesh.services.common.ScreeningException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {

  private static final long WAIT_S = 10;
  private final List<DynamicBatcher<?, ?>> open = new ArrayList<>();
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void close() {
    open.forEach(DynamicBatcher::close);
    timers.shutdownNow();
  }

  private <T, R> DynamicBatcher<T, R> batcher(int maxBatch, Duration delay, int queue, int concurrency,
      DynamicBatcher.Handler<T, R> h) {
    DynamicBatcher<T, R> b = new DynamicBatcher<>("test", new DynamicBatcher.Settings(maxBatch, delay, queue, concurrency), h);
    open.add(b);
    return b;
  }

  private static ScreeningException failure(CompletableFuture<?> f) throws InterruptedException {
    try {
      f.get(WAIT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return assertInstanceOf(ScreeningException.class, e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no answer within " + WAIT_S + " s");
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void aLoneCallWaitsAtMostTheMaxDelayAndIsAnsweredAlone() throws Exception {
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    DynamicBatcher<String, String> b = batcher(8, Duration.ofMillis(50), 16, 1, batch -> {
      sizes.add(batch.size());
      batch.forEach(i -> i.complete(i.input().toUpperCase()));
    });
    long t0 = System.nanoTime();
    assertEquals("A", b.submit("a", Context.ROOT).get(WAIT_S, TimeUnit.SECONDS));
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals(List.of(1), sizes);
    // It waited for company (the delay) but not much beyond it; the bound is loose for a busy machine.
    assertTrue(waitedMs >= 45, "answered after " + waitedMs + " ms, before the 50 ms delay");
    assertTrue(waitedMs < 5_000, "answered after " + waitedMs + " ms");
  }

  @Test
  void requestsArrivingTogetherShareABatchUpToTheMaxSize() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    DynamicBatcher<Integer, Integer> b = batcher(4, Duration.ofMillis(20), 64, 1, batch -> {
      release.await();
      sizes.add(batch.size());
      batch.forEach(i -> i.complete(i.input() * 2));
    });
    // The first batch holds the only slot while ten more requests queue behind it.
    List<CompletableFuture<Integer>> fs = new ArrayList<>();
    fs.add(b.submit(0, Context.ROOT));
    Thread.sleep(100);
    for (int i = 1; i <= 10; i++) {
      fs.add(b.submit(i, Context.ROOT));
    }
    release.countDown();
    for (int i = 0; i < fs.size(); i++) {
      assertEquals(i * 2, fs.get(i).get(WAIT_S, TimeUnit.SECONDS));
    }
    assertEquals(11, sizes.stream().mapToInt(Integer::intValue).sum());
    assertTrue(sizes.stream().allMatch(s -> s <= 4), sizes.toString());
    assertEquals(List.of(1, 4, 4, 2), sizes);
  }

  @Test
  void theQueueBoundIsExact() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    DynamicBatcher<Integer, Integer> b = batcher(1, Duration.ZERO, 3, 1, batch -> {
      started.countDown();
      release.await();
      batch.forEach(i -> i.complete(i.input()));
    });
    CompletableFuture<Integer> running = b.submit(0, Context.ROOT);
    assertTrue(started.await(WAIT_S, TimeUnit.SECONDS));
    List<CompletableFuture<Integer>> waiting = List.of(b.submit(1, Context.ROOT), b.submit(2, Context.ROOT),
        b.submit(3, Context.ROOT));
    ScreeningException busy = failure(b.submit(4, Context.ROOT));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, busy.code());
    assertEquals(DynamicBatcher.SERVER_BUSY, busy.reason());
    release.countDown();
    assertEquals(0, running.get(WAIT_S, TimeUnit.SECONDS));
    for (int i = 0; i < 3; i++) {
      assertEquals(i + 1, waiting.get(i).get(WAIT_S, TimeUnit.SECONDS));
    }
    // Slots come back once the queue drains.
    assertEquals(5, b.submit(5, Context.ROOT).get(WAIT_S, TimeUnit.SECONDS));
  }

  @Test
  void cancelledAndExpiredRequestsAreDroppedBeforeWorkAndFreeTheirSlots() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    Set<Integer> handled = ConcurrentHashMap.newKeySet();
    DynamicBatcher<Integer, Integer> b = batcher(8, Duration.ZERO, 2, 1, batch -> {
      started.countDown();
      release.await();
      batch.forEach(i -> {
        handled.add(i.input());
        i.complete(i.input());
      });
    });
    CompletableFuture<Integer> first = b.submit(0, Context.ROOT);
    assertTrue(started.await(WAIT_S, TimeUnit.SECONDS));
    Context.CancellableContext cancelled = Context.ROOT.withCancellation();
    Context.CancellableContext expiring = Context.ROOT.withDeadline(
        Deadline.after(50, TimeUnit.MILLISECONDS), timers);
    CompletableFuture<Integer> c = b.submit(1, cancelled);
    CompletableFuture<Integer> e = b.submit(2, expiring);
    cancelled.cancel(null);
    assertEquals(Status.Code.CANCELLED, failure(c).code());
    assertEquals(Status.Code.DEADLINE_EXCEEDED, failure(e).code());
    // Both slots are free again although the handler is still blocked.
    CompletableFuture<Integer> x = b.submit(3, Context.ROOT);
    CompletableFuture<Integer> y = b.submit(4, Context.ROOT);
    release.countDown();
    assertEquals(0, first.get(WAIT_S, TimeUnit.SECONDS));
    assertEquals(3, x.get(WAIT_S, TimeUnit.SECONDS));
    assertEquals(4, y.get(WAIT_S, TimeUnit.SECONDS));
    assertEquals(Set.of(0, 3, 4), handled);
  }

  @Test
  void aHandlerFailureOrAnUnansweredItemStillAnswersEveryItemOnce() throws Exception {
    DynamicBatcher<Integer, Integer> b = batcher(4, Duration.ofMillis(30), 16, 1, batch -> {
      for (var i : batch) {
        if (i.input() % 3 == 0) {
          i.complete(i.input());
        } else if (i.input() % 3 == 1) {
          i.fail(ScreeningException.invalid("ODD", "odd"));
        }
        // % 3 == 2: left unanswered
      }
      if (batch.stream().anyMatch(i -> i.input() == 5)) {
        throw new IllegalStateException("boom");
      }
    });
    List<CompletableFuture<Integer>> fs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      fs.add(b.submit(i, Context.ROOT));
    }
    for (int i = 0; i < 6; i++) {
      CompletableFuture<Integer> f = fs.get(i);
      if (i % 3 == 0) {
        assertEquals(i, f.get(WAIT_S, TimeUnit.SECONDS));
      } else {
        try {
          f.get(WAIT_S, TimeUnit.SECONDS);
          throw new AssertionError("item " + i + " should have failed");
        } catch (ExecutionException e) {
          assertTrue(e.getCause() instanceof ScreeningException || e.getCause() instanceof IllegalStateException,
              e.getCause().toString());
        }
      }
    }
  }

  @Test
  void everyItemIsAnsweredExactlyOnceUnderConcurrentLoad() throws Exception {
    AtomicInteger handledCount = new AtomicInteger();
    DynamicBatcher<Integer, Integer> b = batcher(16, Duration.ofMillis(1), 10_000, 2, batch -> {
      for (var i : batch) {
        handledCount.incrementAndGet();
        if (!i.complete(i.input() + 1)) {
          throw new AssertionError("answered twice: " + i.input());
        }
      }
    });
    int threads = 8;
    int perThread = 500;
    List<Thread> ts = new ArrayList<>();
    ConcurrentHashMap<Integer, Integer> answers = new ConcurrentHashMap<>();
    AtomicInteger cancelledAnswers = new AtomicInteger();
    for (int t = 0; t < threads; t++) {
      int base = t * perThread;
      ts.add(Thread.ofVirtual().start(() -> {
        for (int i = 0; i < perThread; i++) {
          int v = base + i;
          Context.CancellableContext ctx = Context.ROOT.withCancellation();
          CompletableFuture<Integer> f = b.submit(v, ctx);
          if (v % 10 == 0) {
            ctx.cancel(null);
          }
          try {
            answers.merge(v, f.get(WAIT_S, TimeUnit.SECONDS), (x, y) -> {
              throw new AssertionError("two answers for " + v);
            });
          } catch (ExecutionException e) {
            cancelledAnswers.incrementAndGet();
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }
      }));
    }
    for (Thread t : ts) {
      t.join(60_000);
    }
    assertEquals(threads * perThread, answers.size() + cancelledAnswers.get());
    answers.forEach((k, v) -> assertEquals(k + 1, v));
    assertEquals(answers.size(), handledCount.get(), "only answered items were handled");
    assertTrue(cancelledAnswers.get() <= threads * perThread / 10, "only cancelled calls fail: " + cancelledAnswers);
  }

  @Test
  void tenThousandCancelledAndTimedOutCallsLeaveNoPerCallState() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    DynamicBatcher<Integer, Integer> b = batcher(64, Duration.ZERO, 20_000, 2, batch -> {
      gate.await();
      for (var i : batch) {
        // An item whose call ended while it ran is left unanswered on purpose: the batcher
        // must fail it and still let its state go.
        if (i.wanted() && i.input() % 7 != 0) {
          i.complete(i.input());
        }
      }
    });
    int calls = 10_000;
    List<CompletableFuture<Integer>> results = new ArrayList<>(calls);
    List<Context.CancellableContext> toCancel = new ArrayList<>();
    for (int n = 0; n < calls; n++) {
      // Half are cancelled by their caller, half time out, most of both while they wait behind
      // the gated batches and some while their batch runs.
      Context.CancellableContext ctx = n % 2 == 0
          ? Context.ROOT.withCancellation()
          : Context.ROOT.withDeadline(Deadline.after(20 + n % 30, TimeUnit.MILLISECONDS), timers);
      if (n % 2 == 0) {
        toCancel.add(ctx);
      }
      results.add(b.submit(n, ctx));
    }
    toCancel.forEach(c -> c.cancel(null));
    Thread.sleep(100);
    gate.countDown();
    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .handle((r, t) -> null).get(WAIT_S * 3, TimeUnit.SECONDS);
    int ended = 0;
    for (CompletableFuture<Integer> f : results) {
      if (f.isCompletedExceptionally()) {
        ended++;
      }
    }
    assertTrue(ended >= calls * 9 / 10, "most calls ended before their answer: " + ended);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (b.released() != b.created() && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertTrue(b.created() >= calls / 2, "the calls took queue slots: " + b.created());
    assertEquals(b.created(), b.released(), "per-call state made vs let go");
    assertEquals(0, b.waiting(), "queue slots still held");
  }

  @Test
  void theExpectedWaitIsReportedAndAShortDeadlineStillQueuesThenLeavesAtItsDeadline() throws Exception {
    DynamicBatcher<Integer, Integer> b = batcher(1, Duration.ZERO, 100, 1, batch -> {
      Thread.sleep(50);
      batch.forEach(i -> i.complete(i.input()));
    });
    // Two batches teach the batcher its time per request (at least the handler's 50 ms).
    b.submit(0, Context.ROOT).get(WAIT_S, TimeUnit.SECONDS);
    b.submit(1, Context.ROOT).get(WAIT_S, TimeUnit.SECONDS);
    List<CompletableFuture<Integer>> ahead = new ArrayList<>();
    for (int n = 0; n < 10; n++) {
      ahead.add(b.submit(n, Context.ROOT));
    }
    assertTrue(b.expectedWaitNanos() >= TimeUnit.MILLISECONDS.toNanos(3 * 50),
        "expected wait behind 3 or more requests of 50 ms: " + b.expectedWaitNanos() + " ns");
    CompletableFuture<Integer> hurried = b.submit(99, Context.ROOT.withDeadline(
        Deadline.after(100, TimeUnit.MILLISECONDS), timers));
    // Queued, not refused on the estimate; it leaves the queue when its deadline passes.
    ScreeningException late = failure(hurried);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, late.code());
    for (CompletableFuture<Integer> f : ahead) {
      f.get(WAIT_S, TimeUnit.SECONDS);
    }
    assertEquals(b.created(), b.released(), "per-call state made vs let go");
  }
}
