package io.screenmesh.fusion.testing;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.contract.ServiceConfigs;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.ScreeningException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
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
    UNAVAILABLE,
    /**
     * Fails with RESOURCE_EXHAUSTED and no ErrorInfo, as a transport does for a GOAWAY
     * ENHANCE_YOUR_CALM or a message over its cap.
     */
    BARE_RESOURCE_EXHAUSTED,
    /** Fails with RESOURCE_EXHAUSTED, reason SERVER_BUSY, as a modality service with a full queue does. */
    BUSY
  }

  /** The ErrorInfo reason of {@link Fault#REFUSE}. */
  public static final String REFUSAL_REASON = "PEER_REFUSED_PART";

  private final String name;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fault-injection-peer");
    t.setDaemon(true);
    return t;
  });
  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger cancelled = new AtomicInteger();
  private final AtomicInteger omitSanitizedCalls = new AtomicInteger();
  private volatile Fault fault = Fault.NONE;
  // Calls left that get the fault; the ones after are answered.
  private final AtomicInteger faultsLeft = new AtomicInteger(Integer.MAX_VALUE);
  private volatile List<Finding> findings = List.of();
  private volatile List<DetectorRun> detectors = List.of();
  private volatile long answerDelayMillis;
  // The W3C trace context header of each screening call, in arrival order (none: "").
  private final Queue<String> traceparents = new ConcurrentLinkedQueue<>();
  private volatile int dieAfterAnswers = Integer.MAX_VALUE;
  private Server server;

  FaultInjectionPeer(String name) {
    this.name = name;
  }

  void start(io.grpc.BindableService service, int maxRstFramesPerWindow) throws IOException {
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    if (maxRstFramesPerWindow > 0) {
      // The rapid-reset guard (CVE-2023-44487) that HTTP/2 servers apply by default: more RST
      // frames in the window and the connection is closed with GOAWAY ENHANCE_YOUR_CALM.
      b.maxRstFramesPerWindow(maxRstFramesPerWindow, 30);
    }
    // A stream tracer sees each call's headers; an interceptor class here would be picked up
    // by the Quarkus build of the tests as an unused gRPC interceptor.
    b.addStreamTracerFactory(new ServerStreamTracer.Factory() {
      @Override
      public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        if (!fullMethodName.startsWith("grpc.health.")) {
          String traceparent = headers.get(TRACEPARENT);
          traceparents.add(traceparent == null ? "" : traceparent);
        }
        return new ServerStreamTracer() {};
      }
    });
    server = b.addService(service)
        // A live peer says SERVING, as a warm modality service does: the front door watches it.
        .addService(new grpc.health.v1.HealthGrpc.HealthImplBase() {
          @Override
          public void check(grpc.health.v1.HealthOuterClass.HealthCheckRequest request,
              io.grpc.stub.StreamObserver<grpc.health.v1.HealthOuterClass.HealthCheckResponse> out) {
            out.onNext(grpc.health.v1.HealthOuterClass.HealthCheckResponse.newBuilder()
                .setStatus(grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus.SERVING).build());
            out.onCompleted();
          }
        })
        .maxInboundMessageSize(32 * 1024 * 1024)
        .build()
        .start();
  }

  /** The port the peer listens on. */
  public int port() {
    return server.getPort();
  }

  /** A plaintext channel to the peer with the mesh's service config (timeouts, retries), as the front door's. */
  public ManagedChannel channel() {
    return ServiceConfigs.apply(NettyChannelBuilder.forAddress("127.0.0.1", port()).usePlaintext()).build();
  }

  /** Makes every following call fail or hang as {@code f} says. */
  public FaultInjectionPeer fault(Fault f) {
    return fault(f, Integer.MAX_VALUE);
  }

  /** Makes the next {@code times} calls fail or hang as {@code f} says, and answers the ones after. */
  public FaultInjectionPeer fault(Fault f, int times) {
    this.faultsLeft.set(times);
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
    faultsLeft.set(Integer.MAX_VALUE);
    omitSanitizedCalls.set(0);
    findings = List.of();
    detectors = List.of();
    answerDelayMillis = 0;
    dieAfterAnswers = Integer.MAX_VALUE;
    calls.set(0);
    traceparents.clear();
    answered.set(0);
    maxInFlight.set(0);
    cancelled.set(0);
  }

  /**
   * The {@code traceparent} header of each screening call received since the last reset, in
   * arrival order; "" for a call that carried none.
   */
  public List<String> traceparents() {
    return List.copyOf(traceparents);
  }

  /** Calls received. */
  public int calls() {
    return calls.get();
  }

  /** Calls answered successfully. */
  public int answered() {
    return answered.get();
  }

  /** Calls that asked for the sanitized copy to be left out. */
  public int omitSanitizedCalls() {
    return omitSanitizedCalls.get();
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

  /** The detector runs every answer reports, as a modality service lists them. */
  public FaultInjectionPeer detectors(DetectorRun... runs) {
    this.detectors = List.of(runs);
    return this;
  }

  ProcessingInfo scriptedProcessing() {
    return FaultInjectionPeers.processing(detectors);
  }

  /** Applies the current fault to one call; {@code answer} builds the response when there is none. */
  <R> void handle(StreamObserver<R> observer, boolean omitSanitized, Supplier<R> answer) {
    calls.incrementAndGet();
    if (omitSanitized) {
      omitSanitizedCalls.incrementAndGet();
    }
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
    Fault now = faultsLeft.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) > 0 ? fault : Fault.NONE;
    switch (now) {
      case HANG -> { }
      case REFUSE -> finish(call, close, () -> call.onError(GrpcErrors.toStatus(
          ScreeningException.invalid(REFUSAL_REASON, name + " refuses this part"))));
      case UNAVAILABLE -> finish(call, close, () -> call.onError(
          Status.UNAVAILABLE.withDescription(name + " is unavailable (injected)").asRuntimeException()));
      case BARE_RESOURCE_EXHAUSTED -> finish(call, close, () -> call.onError(
          Status.RESOURCE_EXHAUSTED.withDescription("Bandwidth exhausted (injected)").asRuntimeException()));
      case BUSY -> finish(call, close, () -> call.onError(GrpcErrors.toStatus(
          ScreeningException.tooLarge("SERVER_BUSY", name + " has a full queue (injected)"))));
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
