package io.screenmesh.services.common;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs screening work off the gRPC event loop and shapes its results for the two RPC forms:
 * a unary call fails with a mapped status ({@link GrpcErrors}); a stream answers every request
 * exactly once, in arrival order, turning a failed item into that item's error answer so one
 * bad item never ends the stream.
 *
 * <p>Work whose call has already ended (its deadline passed or its caller cancelled while it
 * waited in the queue) is not started: it fails with DEADLINE_EXCEEDED or CANCELLED. Without
 * this, a burst that fills the queue leaves the workers screening texts nobody waits for while
 * fresh calls time out behind them, and the service stays overloaded after the burst ends.
 * Work that the executor refuses (its queue is full) fails with RESOURCE_EXHAUSTED, reason
 * {@code SERVER_BUSY}.
 */
public final class Offload {

  /** Queued CPU work per processor before {@link #cpu()} refuses more. */
  static final int CPU_QUEUE_PER_PROCESSOR = 1024;

  private Offload() {}

  /**
   * The executor for work that may block (calls to other services, waits): Quarkus's worker
   * pool, which grows to many threads.
   */
  public static Executor workers() {
    return Infrastructure.getDefaultWorkerPool();
  }

  /**
   * The executor for pure CPU work (text screening): one thread per processor and a bounded
   * FIFO queue. More threads than cores would only interleave the same work, stretch every
   * call's latency and keep more calls' garbage alive at each collection. Never run blocking
   * work here.
   */
  public static Executor cpu() {
    return CpuPool.POOL;
  }

  private static final class CpuPool {
    static final ThreadPoolExecutor POOL = create(Runtime.getRuntime().availableProcessors());

    static ThreadPoolExecutor create(int threads) {
      AtomicInteger n = new AtomicInteger();
      ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(threads * CPU_QUEUE_PER_PROCESSOR), r -> {
            Thread t = new Thread(r, "screenmesh-cpu-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      pool.prestartAllCoreThreads();
      return pool;
    }
  }

  /** {@link #unary(Executor, Supplier)} on {@link #workers()}. */
  public static <T> Uni<T> unary(Supplier<T> work) {
    return unary(workers(), work);
  }

  /**
   * Runs {@code work} on {@code executor}; a failure becomes the status that
   * {@link GrpcErrors#toStatus(Throwable)} maps it to. Call it on the gRPC call's thread: it
   * captures the call's {@link Context} to see whether the call is still wanted.
   */
  public static <T> Uni<T> unary(Executor executor, Supplier<T> work) {
    return submit(executor, Context.current(), work).onFailure().transform(GrpcErrors::toStatus);
  }

  /** {@link #inOrder(Executor, Multi, Function, BiFunction)} on {@link #workers()}. */
  public static <I, O> Multi<O> inOrder(Multi<I> requests, Function<I, O> work,
      BiFunction<I, Throwable, O> onError) {
    return inOrder(workers(), requests, work, onError);
  }

  /**
   * Answers each request of {@code requests} with {@code work} on {@code executor}, one at a
   * time and in arrival order; a request whose work fails is answered by {@code onError}
   * (typically an answer carrying {@link GrpcErrors#toItemError(Throwable)}).
   */
  public static <I, O> Multi<O> inOrder(Executor executor, Multi<I> requests, Function<I, O> work,
      BiFunction<I, Throwable, O> onError) {
    Context call = Context.current();
    return requests.onItem().transformToUniAndConcatenate(req ->
        submit(executor, call, () -> work.apply(req))
            .onFailure().recoverWithItem(t -> onError.apply(req, t)));
  }

  private static <T> Uni<T> submit(Executor executor, Context call, Supplier<T> work) {
    return Uni.createFrom().emitter(emitter -> {
      try {
        executor.execute(() -> {
          if (call.isCancelled()) {
            emitter.fail(ended(call));
            return;
          }
          T result;
          try {
            result = work.get();
          } catch (Throwable t) {
            emitter.fail(t);
            return;
          }
          emitter.complete(result);
        });
      } catch (RejectedExecutionException e) {
        emitter.fail(new ScreeningException(Status.Code.RESOURCE_EXHAUSTED, "SERVER_BUSY",
            "the service is at capacity; retry later"));
      }
    });
  }

  private static ScreeningException ended(Context call) {
    Deadline deadline = call.getDeadline();
    if (deadline != null && deadline.isExpired()) {
      return new ScreeningException(Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED",
          "the caller's deadline passed before screening started");
    }
    return new ScreeningException(Status.Code.CANCELLED, "CANCELLED", "the caller cancelled the call");
  }
}
