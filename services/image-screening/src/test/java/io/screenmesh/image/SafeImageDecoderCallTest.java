package io.screenmesh.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Status;
import io.screenmesh.services.common.ScreeningException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A decode is bound to its call: cancelled or past its deadline, it stops; over budget, it waits. */
class SafeImageDecoderCallTest {

  private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor();
  private static final ExecutorService CALLERS = Executors.newCachedThreadPool();
  /** A bound on every wait: far above anything a loaded machine needs, so never the cause of a failure. */
  private static final long PATIENCE_S = 30;

  @AfterAll
  static void stop() {
    TIMERS.shutdownNow();
    CALLERS.shutdownNow();
  }

  private static ScreeningException refused(Status.Code code, String reason, Future<?> call) throws InterruptedException {
    ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(PATIENCE_S, TimeUnit.SECONDS));
    ScreeningException s = assertInstanceOfScreening(e.getCause());
    assertEquals(code, s.code(), s.getMessage());
    assertEquals(reason, s.reason(), s.getMessage());
    return s;
  }

  private static ScreeningException assertInstanceOfScreening(Throwable t) {
    assertTrue(t instanceof ScreeningException, "not a ScreeningException: " + t);
    return (ScreeningException) t;
  }

  @Test
  void anAlreadyCancelledCallIsRefusedWithoutDecoding() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    SafeImageDecoder decoder = new SafeImageDecoder(ImageLimits.DEFAULTS,
        new DecodeBudget(SafeImageDecoder.DEFAULT_BUDGET_BYTES, Duration.ofSeconds(5)), (reader, param) -> {
          reads.incrementAndGet();
          return reader.read(0, param);
        });
    byte[] png = TestImages.png(32, 32);

    Context.CancellableContext cancelled = Context.ROOT.withCancellation();
    cancelled.cancel(null);
    refused(Status.Code.CANCELLED, "CANCELLED", CALLERS.submit(() -> decoder.decode(png, cancelled)));

    Context.CancellableContext expired = Context.ROOT.withDeadlineAfter(-1, TimeUnit.MILLISECONDS, TIMERS);
    refused(Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED", CALLERS.submit(() -> decoder.decode(png, expired)));
    assertEquals(0, reads.get(), "the reader ran for a call that had ended");

    // The same decoder still decodes for a live call, and the old entry point still works.
    assertEquals(32, decoder.decode(png, Context.ROOT).width());
    assertEquals(32, decoder.decode(png).height());
    assertEquals(2, reads.get());
  }

  @Test
  void aCallThatEndsDuringTheReadStopsTheReaderAtOnce() throws Exception {
    byte[] png = TestImages.zeroRgba16Png(1_500);
    Context.CancellableContext call = Context.ROOT.withCancellation();
    AtomicReference<Float> furthest = new AtomicReference<>(0f);
    SafeImageDecoder decoder = new SafeImageDecoder(ImageLimits.DEFAULTS,
        new DecodeBudget(SafeImageDecoder.DEFAULT_BUDGET_BYTES, Duration.ofSeconds(5)), (reader, param) -> {
          reader.addIIOReadProgressListener(new Progress(furthest));
          // The caller goes away just as the reader starts on 36 MB of samples.
          call.cancel(null);
          return reader.read(0, param);
        });
    refused(Status.Code.CANCELLED, "CANCELLED", CALLERS.submit(() -> decoder.decode(png, call)));
    assertTrue(furthest.get() < 50f, "the reader went on to " + furthest.get() + " % after the call ended");

    // A deadline that passes while the decode runs ends it the same way, as DEADLINE_EXCEEDED.
    Context.CancellableContext timed = Context.ROOT.withDeadlineAfter(100, TimeUnit.MILLISECONDS, TIMERS);
    SafeImageDecoder slow = new SafeImageDecoder(ImageLimits.DEFAULTS,
        new DecodeBudget(SafeImageDecoder.DEFAULT_BUDGET_BYTES, Duration.ofSeconds(5)), (reader, param) -> {
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_S);
          while (!timed.isCancelled() && System.nanoTime() < until) {
            Thread.sleep(5);
          }
          return reader.read(0, param);
        });
    refused(Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED", CALLERS.submit(() -> slow.decode(png, timed)));
  }

  @Test
  void decodesBeyondTheBudgetWaitAndGetServerBusyAtTheirDeadline() throws Exception {
    byte[] png = TestImages.png(64, 64);
    long oneDecode = new SafeImageDecoder(ImageLimits.DEFAULTS).checkHeader(png).decodeBytes();
    // Room for exactly one decode of this image at a time.
    DecodeBudget budget = new DecodeBudget(oneDecode, Duration.ofSeconds(PATIENCE_S));
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean first = new AtomicBoolean(true);
    SafeImageDecoder decoder = new SafeImageDecoder(new ImageLimits(1 << 20, 40_000_000L, 16_384, oneDecode), budget,
        (reader, param) -> {
          if (first.getAndSet(false)) {
            holding.countDown();
            assertTrue(release.await(PATIENCE_S, TimeUnit.SECONDS));
          }
          return reader.read(0, param);
        });

    Future<DecodedImage> holder = CALLERS.submit(() -> decoder.decode(png, Context.ROOT));
    assertTrue(holding.await(PATIENCE_S, TimeUnit.SECONDS));
    assertEquals(oneDecode, budget.inUse());

    // A second decode waits for the budget until its deadline, then the server is busy.
    Context.CancellableContext shortCall = Context.ROOT.withDeadlineAfter(300, TimeUnit.MILLISECONDS, TIMERS);
    long start = System.nanoTime();
    ScreeningException busy = refused(Status.Code.RESOURCE_EXHAUSTED, DecodeBudget.SERVER_BUSY,
        CALLERS.submit(() -> decoder.decode(png, shortCall)));
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(waitedMs >= 250, "refused after " + waitedMs + " ms, before the deadline");
    assertTrue(busy.getMessage().contains("retry"), busy.getMessage());

    // A caller that cancels while waiting is told so, not that the server is busy.
    Context.CancellableContext leaving = Context.ROOT.withCancellation();
    Future<DecodedImage> cancelled = CALLERS.submit(() -> decoder.decode(png, leaving));
    waitUntil(() -> budget.waiting() == 1);
    leaving.cancel(null);
    refused(Status.Code.CANCELLED, "CANCELLED", cancelled);

    // One with time to spare gets the budget once the first decode gives it back.
    Context.CancellableContext patient = Context.ROOT.withDeadlineAfter(PATIENCE_S, TimeUnit.SECONDS, TIMERS);
    Future<DecodedImage> waiter = CALLERS.submit(() -> decoder.decode(png, patient));
    waitUntil(() -> budget.waiting() == 1);
    release.countDown();
    assertEquals(64, holder.get(PATIENCE_S, TimeUnit.SECONDS).width());
    assertEquals(64, waiter.get(PATIENCE_S, TimeUnit.SECONDS).width());
    assertEquals(0, budget.inUse());
    patient.cancel(null);
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_S);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < until, "the condition did not hold within " + PATIENCE_S + " s");
      Thread.sleep(5);
    }
  }

  /** Records how far the reader got. */
  private static final class Progress extends ReadProgress {
    private final AtomicReference<Float> furthest;

    Progress(AtomicReference<Float> furthest) {
      this.furthest = furthest;
    }

    @Override
    void progress(ImageReader source, float percentageDone) {
      furthest.accumulateAndGet(percentageDone, Math::max);
    }

    @Override
    public void imageComplete(ImageReader source) {
      furthest.set(100f);
    }
  }
}
