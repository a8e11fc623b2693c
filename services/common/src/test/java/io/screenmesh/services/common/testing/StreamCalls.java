package io.screenmesh.services.common.testing;

import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Drives a bidi-streaming call from a test: sends every request, then collects every answer. */
public final class StreamCalls {

  private StreamCalls() {}

  /**
   * Opens a stream with {@code open}, sends {@code requests}, half-closes and waits at most
   * {@code timeout} for the server to complete.
   *
   * @return the answers in the order they arrived
   * @throws AssertionError when the stream fails or does not complete in time
   */
  public static <Q, A> List<A> collect(Function<StreamObserver<A>, StreamObserver<Q>> open, List<Q> requests,
      Duration timeout) throws InterruptedException {
    List<A> answers = new ArrayList<>();
    Throwable[] failure = new Throwable[1];
    CountDownLatch done = new CountDownLatch(1);
    StreamObserver<Q> out = open.apply(new StreamObserver<>() {
      @Override
      public void onNext(A a) {
        synchronized (answers) {
          answers.add(a);
        }
      }

      @Override
      public void onError(Throwable t) {
        failure[0] = t;
        done.countDown();
      }

      @Override
      public void onCompleted() {
        done.countDown();
      }
    });
    for (Q q : requests) {
      out.onNext(q);
    }
    out.onCompleted();
    if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the stream did not complete within " + timeout + "; answers so far: " + answers.size());
    }
    if (failure[0] != null) {
      throw new AssertionError("the stream failed", failure[0]);
    }
    synchronized (answers) {
      return List.copyOf(answers);
    }
  }
}
