package io.screenmesh.fusion;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.screenmesh.services.common.GrpcErrors;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connects a server stream's gRPC flow control to Reactive Streams demand, both ways.
 *
 * <p>Quarkus' Mutiny service interface feeds a stream's requests into an unbounded buffer
 * and reads them as fast as the caller sends, so a caller streaming millions of items would
 * fill the front door's memory however slowly they are screened. With these adapters the
 * front door asks the transport for a request only when the screening pipeline asks for
 * one ({@link Inbound}), and takes an answer from the pipeline only when the transport can
 * send it ({@link Outbound}); HTTP/2 flow control then slows the caller.
 */
final class GrpcFlowControl {

  private GrpcFlowControl() {}

  /**
   * The requests of one server stream as a {@link Flow.Publisher} whose demand becomes
   * {@code call.request(n)}. The call must have had automatic requests disabled
   * ({@link ServerCallStreamObserver#disableAutoRequest()}), and this publisher must be
   * subscribed before any request is asked for. One subscriber only.
   */
  static final class Inbound<T> implements Flow.Publisher<T>, StreamObserver<T> {

    private final ServerCallStreamObserver<?> call;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile Flow.Subscriber<? super T> subscriber;

    Inbound(ServerCallStreamObserver<?> call) {
      this.call = call;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> s) {
      if (subscriber != null) {
        throw new IllegalStateException("the requests of a stream can be read once");
      }
      subscriber = s;
      s.onSubscribe(new Flow.Subscription() {
        @Override
        public void request(long n) {
          if (n <= 0) {
            cancel();
            s.onError(new IllegalArgumentException("demand must be positive, got " + n));
          } else if (!cancelled.get()) {
            call.request((int) Math.min(n, Integer.MAX_VALUE));
          }
        }

        @Override
        public void cancel() {
          cancelled.set(true);
        }
      });
    }

    @Override
    public void onNext(T value) {
      if (!cancelled.get()) {
        subscriber.onNext(value);
      }
    }

    @Override
    public void onError(Throwable t) {
      if (!cancelled.get()) {
        subscriber.onError(t);
      }
    }

    @Override
    public void onCompleted() {
      if (!cancelled.get()) {
        subscriber.onComplete();
      }
    }
  }

  /**
   * Writes a publisher's items to a server stream, asking for the next item only while the
   * transport is ready, and mapping a failure to a status through {@link GrpcErrors}. The
   * caller's cancellation cancels the subscription. Must be created during the service
   * method call, before it returns (gRPC accepts the ready and cancel handlers only then).
   */
  static final class Outbound<T> implements Flow.Subscriber<T> {

    private final ServerCallStreamObserver<T> call;
    // 1 while an item has been asked for and not yet received; at most one in flight.
    private final AtomicInteger outstanding = new AtomicInteger();
    private volatile Flow.Subscription subscription;

    Outbound(ServerCallStreamObserver<T> call) {
      this.call = call;
      call.setOnReadyHandler(this::pull);
      call.setOnCancelHandler(() -> {
        Flow.Subscription s = subscription;
        if (s != null) {
          s.cancel();
        }
      });
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (call.isCancelled()) {
        s.cancel();
      } else {
        pull();
      }
    }

    private void pull() {
      Flow.Subscription s = subscription;
      if (s != null && call.isReady() && outstanding.compareAndSet(0, 1)) {
        s.request(1);
      }
    }

    @Override
    public void onNext(T item) {
      outstanding.set(0);
      call.onNext(item);
      pull();
    }

    @Override
    public void onError(Throwable t) {
      call.onError(GrpcErrors.toStatus(t));
    }

    @Override
    public void onComplete() {
      call.onCompleted();
    }
  }
}
