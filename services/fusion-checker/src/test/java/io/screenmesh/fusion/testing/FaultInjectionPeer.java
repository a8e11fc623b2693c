package io.screenmesh.fusion.testing;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.ScreeningException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A fault-injection peer: a real gRPC server on a free localhost port that stands in for one
 * modality service so that tests can make it fail on purpose: hang until the caller's
 * deadline, refuse parts, report itself unavailable, or die after a number of answers. When
 * no fault is set it answers every call with the findings a test scripted, so that the
 * front door's copying and fusion can be checked; it does no screening of its own and is
 * never a substitute for the real modality services, which the cross-service tests under
 * {@code tests/} run.
 */
public final class FaultInjectionPeer implements AutoCloseable {

  /** What the peer does with each call. */
  public enum Fault {
    /** Answers with the scripted findings. */
    NONE,
    /** Never answers; the call ends when the caller's deadline passes or it cancels. */
    HANG,
    /** Fails with INVALID_ARGUMENT, reason {@value #REFUSAL_REASON}. */
    REFUSE,
    /** Fails with UNAVAILABLE. */
    UNAVAILABLE
  }

  /** The ErrorInfo reason of {@link Fault#REFUSE}. */
  public static final String REFUSAL_REASON = "PEER_REFUSED_PART";

  private final String name;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fault-injection-peer");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger cancelled = new AtomicInteger();
  private volatile Fault fault = Fault.NONE;
  private volatile List<Finding> findings = List.of();
  private volatile long answerDelayMillis;
  private volatile int dieAfterAnswers = Integer.MAX_VALUE;
  private Server server;

  FaultInjectionPeer(String name) {
    this.name = name;
  }

  void start(io.grpc.BindableService service) throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(service)
        .maxInboundMessageSize(32 * 1024 * 1024)
        .build()
        .start();
  }

  /** The port the peer listens on. */
  public int port() {
    return server.getPort();
  }

  /** A plaintext channel to the peer. */
  public ManagedChannel channel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", port()).usePlaintext().build();
  }

  /** Makes every following call fail or hang as {@code f} says. */
  public FaultInjectionPeer fault(Fault f) {
    this.fault = f;
    return this;
  }

  /** The findings every answer carries. */
  public FaultInjectionPeer findings(Finding... f) {
    this.findings = List.of(f);
    return this;
  }

  /** Delays each answer, so that calls overlap. */
  public FaultInjectionPeer answerDelayMillis(long millis) {
    this.answerDelayMillis = millis;
    return this;
  }

  /** Kills the server (shutdownNow: connections dropped, calls in flight cut) after {@code n} answers. */
  public FaultInjectionPeer dieAfterAnswers(int n) {
    this.dieAfterAnswers = n;
    return this;
  }

  /** Clears faults, findings, delays and counters. */
  public void reset() {
    fault = Fault.NONE;
    findings = List.of();
    answerDelayMillis = 0;
    dieAfterAnswers = Integer.MAX_VALUE;
    calls.set(0);
    answered.set(0);
    maxInFlight.set(0);
    cancelled.set(0);
  }

  /** Calls received. */
  public int calls() {
    return calls.get();
  }

  /** Calls answered successfully. */
  public int answered() {
    return answered.get();
  }

  /** The most calls that were open at the same time. */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  /** Calls the caller cancelled or let expire while the peer held them. */
  public int cancelled() {
    return cancelled.get();
  }

  /** True once the server was killed. */
  public boolean dead() {
    return server.isShutdown();
  }

  List<Finding> scriptedFindings() {
    return findings;
  }

  /** Applies the current fault to one call; {@code answer} builds the response when there is none. */
  <R> void handle(StreamObserver<R> observer, Supplier<R> answer) {
    calls.incrementAndGet();
    int open = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(open, Math::max);
    ServerCallStreamObserver<R> call = (ServerCallStreamObserver<R>) observer;
    AtomicBoolean closed = new AtomicBoolean();
    Runnable close = () -> {
      if (closed.compareAndSet(false, true)) {
        inFlight.decrementAndGet();
      }
    };
    call.setOnCancelHandler(() -> {
      if (!closed.get()) {
        cancelled.incrementAndGet();
      }
      close.run();
    });
    switch (fault) {
      case HANG -> { }
      case REFUSE -> finish(call, close, () -> call.onError(GrpcErrors.toStatus(
          ScreeningException.invalid(REFUSAL_REASON, name + " refuses this part"))));
      case UNAVAILABLE -> finish(call, close, () -> call.onError(
          Status.UNAVAILABLE.withDescription(name + " is unavailable (injected)").asRuntimeException()));
      case NONE -> {
        Runnable reply = () -> finish(call, close, () -> {
          call.onNext(answer.get());
          call.onCompleted();
          if (answered.incrementAndGet() == dieAfterAnswers) {
            // Off the call's thread: shutdownNow waits for nothing, but must not run inside a call.
            scheduler.execute(server::shutdownNow);
          }
        });
        if (answerDelayMillis > 0) {
          scheduler.schedule(reply, answerDelayMillis, TimeUnit.MILLISECONDS);
        } else {
          reply.run();
        }
      }
    }
  }

  private static <R> void finish(ServerCallStreamObserver<R> call, Runnable close, Runnable r) {
    // Closed before answering: once the answer is out, the caller may open the next call at
    // once, and that call must not find this one still counted as open.
    close.run();
    if (!call.isCancelled()) {
      r.run();
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
    scheduler.shutdownNow();
  }

  @Override
  public String toString() {
    return name + " fault-injection peer on port " + port();
  }
}
