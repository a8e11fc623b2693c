package io.screenmesh.services.common;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Gives each call the caller's deadline as {@code io.grpc.Context.current().getDeadline()}.
 *
 * <p>grpc-java's own server turns the {@code grpc-timeout} request header into the call
 * context's deadline, but the Vert.x server that Quarkus uses when gRPC shares the HTTP port
 * ({@code quarkus.grpc.server.use-separate-server=false}) passes the header on as plain
 * metadata and leaves the context without a deadline. This interceptor closes that gap: when
 * the context has no deadline and the header is present, the call runs in a context with
 * that deadline. The context is cancelled when the deadline passes, when the caller cancels,
 * and when the call completes, so outbound calls started in it end with the caller's call
 * and its timer does not outlive the call. Every service gets it (a global interceptor in this
 * shared bean archive), so image- and audio-screening bound their calls to text-screening by
 * the front door's deadline too. A context that already has a deadline (the
 * separate grpc-java server) is left alone.
 */
@ApplicationScoped
@GlobalInterceptor
public class CallerDeadlineInterceptor implements ServerInterceptor {

  /** The gRPC wire header carrying the caller's timeout ("100m", "2S", ...). */
  static final Metadata.Key<String> GRPC_TIMEOUT = Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

  // One timer thread for every call's deadline; it only flips cancellation flags. A call that
  // ends before its deadline cancels its timer, and the cancelled timer leaves the queue at
  // once: otherwise every finished call would stay queued until its deadline came due.
  private static final ScheduledExecutorService TIMER = timer();

  static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "caller-deadline-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    long nanos = Context.current().getDeadline() == null ? parseTimeoutNanos(headers.get(GRPC_TIMEOUT)) : -1;
    if (nanos < 0) {
      return next.startCall(call, headers);
    }
    Context.CancellableContext context = Context.current().withDeadlineAfter(nanos, TimeUnit.NANOSECONDS, TIMER);
    ServerCall.Listener<ReqT> inner;
    try {
      inner = Contexts.interceptCall(context, call, headers, next);
    } catch (RuntimeException e) {
      context.cancel(e);
      throw e;
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(inner) {
      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          context.cancel(null);
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          context.cancel(null);
        }
      }
    };
  }

  /**
   * Parses a {@code grpc-timeout} value: 1 to 8 digits and a unit, H (hours), M (minutes),
   * S (seconds), m (milliseconds), u (microseconds) or n (nanoseconds).
   *
   * @return the timeout in nanoseconds, or -1 when the value is absent or malformed
   */
  static long parseTimeoutNanos(String value) {
    if (value == null || value.length() < 2 || value.length() > 9) {
      return -1;
    }
    long amount = 0;
    for (int i = 0; i < value.length() - 1; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      amount = amount * 10 + (c - '0');
    }
    TimeUnit unit = switch (value.charAt(value.length() - 1)) {
      case 'H' -> TimeUnit.HOURS;
      case 'M' -> TimeUnit.MINUTES;
      case 'S' -> TimeUnit.SECONDS;
      case 'm' -> TimeUnit.MILLISECONDS;
      case 'u' -> TimeUnit.MICROSECONDS;
      case 'n' -> TimeUnit.NANOSECONDS;
      default -> null;
    };
    return unit == null ? -1 : unit.toNanos(amount);
  }
}
