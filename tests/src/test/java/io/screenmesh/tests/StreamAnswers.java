package io.screenmesh.tests;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.screenmesh.fusion.v1.ScreenItemStreamResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Collects the answers of a front-door batch stream by item id, keeping duplicates so that
 * "exactly once" can be asserted, and the stream's final status. Every wait is bounded.
 */
final class StreamAnswers implements StreamObserver<ScreenItemStreamResponse> {

  private final Map<String, List<ScreenItemStreamResponse>> byId = new ConcurrentHashMap<>();
  private final Semaphore answered = new Semaphore(0);
  private final CompletableFuture<Status> end = new CompletableFuture<>();

  @Override
  public void onNext(ScreenItemStreamResponse r) {
    byId.computeIfAbsent(r.getId(), k -> new CopyOnWriteArrayList<>()).add(r);
    answered.release();
  }

  @Override
  public void onError(Throwable t) {
    end.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    end.complete(Status.OK);
  }

  /** Waits until {@code n} more answers have arrived; false when the wait ran out. */
  boolean awaitAnswers(int n, long seconds) throws InterruptedException {
    return answered.tryAcquire(n, seconds, TimeUnit.SECONDS);
  }

  /**
   * Waits for the stream to end.
   *
   * @throws AssertionError when it has not ended within {@code seconds}
   */
  Status awaitEnd(long seconds) throws InterruptedException, ExecutionException {
    try {
      return end.get(seconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the stream did not end within " + seconds + " s; " + byId.size() + " ids answered", e);
    }
  }

  /** How often each id was answered, sorted by id. */
  Map<String, Integer> counts() {
    Map<String, Integer> c = new TreeMap<>();
    byId.forEach((id, list) -> c.put(id, list.size()));
    return c;
  }

  /** The first answer for {@code id}. */
  ScreenItemStreamResponse answer(String id) {
    List<ScreenItemStreamResponse> l = byId.get(id);
    if (l == null) {
      throw new AssertionError("no answer for " + id + "; answered: " + counts().keySet());
    }
    return l.getFirst();
  }

  /** How many distinct ids were answered. */
  int size() {
    return byId.size();
  }
}
