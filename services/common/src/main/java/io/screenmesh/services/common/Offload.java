package io.screenmesh.services.common;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs screening work off the gRPC event loop and shapes its results for the two RPC forms:
 * a unary call fails with a mapped status ({@link GrpcErrors}); a stream answers every request
 * exactly once, in arrival order, turning a failed item into that item's error answer so one
 * bad item never ends the stream.
 */
public final class Offload {

  private Offload() {}

  /** The executor that decoding and other CPU-bound screening work runs on. */
  public static Executor workers() {
    return Infrastructure.getDefaultWorkerPool();
  }

  /**
   * Runs {@code work} on a worker thread; a failure becomes the status that
   * {@link GrpcErrors#toStatus(Throwable)} maps it to.
   */
  public static <T> Uni<T> unary(Supplier<T> work) {
    return Uni.createFrom().item(work)
        .runSubscriptionOn(workers())
        .onFailure().transform(GrpcErrors::toStatus);
  }

  /**
   * Answers each request of {@code requests} with {@code work} on a worker thread, one at a
   * time and in arrival order; a request whose work fails is answered by {@code onError}
   * (typically an answer carrying {@link GrpcErrors#toItemError(Throwable)}).
   */
  public static <I, O> Multi<O> inOrder(Multi<I> requests, Function<I, O> work,
      BiFunction<I, Throwable, O> onError) {
    return requests.onItem().transformToUniAndConcatenate(req ->
        Uni.createFrom().item(() -> work.apply(req))
            .runSubscriptionOn(workers())
            .onFailure().recoverWithItem(t -> onError.apply(req, t)));
  }
}
