package io.screenmesh.services.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OffloadTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  /** Holds tasks until the test runs them, like a queue behind busy workers. */
  private static final class HeldExecutor implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable r) {
      tasks.add(r);
    }

    void runAll() {
      Runnable r;
      while ((r = tasks.poll()) != null) {
        r.run();
      }
    }
  }

  private static StatusRuntimeException failure(Uni<?> uni) {
    Throwable t = assertThrows(Throwable.class, () -> uni.await().atMost(WAIT));
    return assertInstanceOf(StatusRuntimeException.class, t);
  }

  @Test
  void runsTheWorkOnTheExecutor() {
    String thread = Offload.unary(Offload.cpu(), () -> Thread.currentThread().getName()).await().atMost(WAIT);
    assertTrue(thread.startsWith("screenmesh-cpu-"), thread);
  }

  @Test
  void aFailureBecomesItsMappedStatus() {
    StatusRuntimeException e = failure(Offload.unary(Runnable::run, () -> {
      throw ScreeningException.invalid("BAD_THING", "the thing is bad");
    }));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("BAD_THING", GrpcErrors.reasonOf(e));
  }

  @Test
  void workOfACallCancelledWhileQueuedIsNotStarted() throws Exception {
    HeldExecutor held = new HeldExecutor();
    AtomicInteger runs = new AtomicInteger();
    Context.CancellableContext call = Context.current().withCancellation();
    Uni<Integer> uni = call.call(() -> Offload.unary(held, runs::incrementAndGet));
    var result = uni.subscribeAsCompletionStage();
    call.cancel(null);
    held.runAll();
    StatusRuntimeException e = assertInstanceOf(StatusRuntimeException.class,
        assertThrows(Exception.class, result::join).getCause());
    assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
    assertEquals(0, runs.get());
  }

  @Test
  void workWhoseDeadlinePassedWhileQueuedFailsWithDeadlineExceeded() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      HeldExecutor held = new HeldExecutor();
      AtomicInteger runs = new AtomicInteger();
      Context.CancellableContext call = Context.current().withDeadlineAfter(20, TimeUnit.MILLISECONDS, timer);
      Uni<Integer> uni = call.call(() -> Offload.unary(held, runs::incrementAndGet));
      var result = uni.subscribeAsCompletionStage();
      while (!call.isCancelled()) {
        Thread.sleep(5);
      }
      held.runAll();
      StatusRuntimeException e = assertInstanceOf(StatusRuntimeException.class,
          assertThrows(Exception.class, result::join).getCause());
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      assertEquals("DEADLINE_EXCEEDED", GrpcErrors.reasonOf(e));
      assertEquals(0, runs.get());
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void aLiveCallIsScreenedEvenAfterWaiting() throws Exception {
    HeldExecutor held = new HeldExecutor();
    Context.CancellableContext call = Context.current().withCancellation();
    var result = call.call(() -> Offload.unary(held, () -> 7)).subscribeAsCompletionStage();
    assertFalse(result.isDone());
    held.runAll();
    assertEquals(7, result.join());
    call.cancel(null);
  }

  @Test
  void aFullQueueIsResourceExhausted() {
    Executor full = r -> {
      throw new RejectedExecutionException("full");
    };
    StatusRuntimeException e = failure(Offload.unary(full, () -> 1));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertEquals("SERVER_BUSY", GrpcErrors.reasonOf(e));
  }

  @Test
  void aStreamAnswersEveryItemOnceInOrderAlsoWhenSomeFail() {
    List<String> out = Offload.inOrder(Offload.cpu(), Multi.createFrom().items(1, 2, 3, 4),
            i -> {
              if (i == 2) {
                throw ScreeningException.invalid("TWO", "no twos");
              }
              return "ok" + i;
            },
            (i, t) -> "error" + i + ":" + GrpcErrors.map(t).reason())
        .collect().asList().await().atMost(WAIT);
    assertEquals(List.of("ok1", "error2:TWO", "ok3", "ok4"), out);
  }

  @Test
  void aStreamWhoseCallEndedAnswersEveryItemWithAnError() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Context.CancellableContext call = Context.current().withCancellation();
    call.cancel(null);
    List<String> out = call.call(() -> Offload.inOrder(Runnable::run, Multi.createFrom().items(1, 2, 3),
            i -> "ok" + runs.incrementAndGet(),
            (i, t) -> "error" + i + ":" + GrpcErrors.map(t).reason()))
        .collect().asList().await().atMost(WAIT);
    assertEquals(List.of("error1:CANCELLED", "error2:CANCELLED", "error3:CANCELLED"), out);
    assertEquals(0, runs.get());
  }

  @Test
  void aStreamItemRefusedByAFullQueueGetsItsOwnAnswer() {
    AtomicInteger calls = new AtomicInteger();
    Executor everyOtherRefused = r -> {
      if (calls.incrementAndGet() % 2 == 0) {
        throw new RejectedExecutionException("full");
      }
      r.run();
    };
    List<String> out = Offload.inOrder(everyOtherRefused, Multi.createFrom().items(1, 2, 3),
            i -> "ok" + i,
            (i, t) -> "error" + i + ":" + GrpcErrors.map(t).reason())
        .collect().asList().await().atMost(WAIT);
    assertEquals(List.of("ok1", "error2:SERVER_BUSY", "ok3"), out);
  }
}
