package io.screenmesh.services.common;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The service's readiness in the standard gRPC health service: NOT_SERVING until the engine has
 * warmed up (its first batches JIT-compiled, models and native code loaded), SERVING after, so
 * that a launcher or a Kubernetes readiness probe sends no traffic to a cold service whose first
 * calls would run past their budgets. Both the overall status ({@code ""}) and the named
 * services are set. The line that says so names the compute backend, so that a readiness log
 * shows what the service will run on.
 *
 * <p>Quarkus marks its health SERVING as soon as the gRPC server starts, a moment before the
 * start-up event in which a service can say it is starting. To close that window this class is
 * also a server interceptor: between {@link #starting} and {@link #ready}, every health
 * {@code Check} is answered NOT_SERVING here, whatever the storage says.
 */
@ApplicationScoped
@GlobalInterceptor
public class Readiness implements ServerInterceptor {

  private static final String HEALTH_CHECK = "grpc.health.v1.Health/Check";

  private static final Logger LOG = Logger.getLogger(Readiness.class);

  private final GrpcHealthStorage health;
  private final java.util.function.Supplier<String> backend;
  private final AtomicBoolean ready = new AtomicBoolean();
  // Before starting() the service does not take part (the front door), and health is Quarkus'.
  private volatile boolean warming;
  private volatile boolean draining;

  /**
   * Creates the readiness holder over Quarkus' gRPC health storage. The compute backend is
   * looked up only when a service says it is ready, so that a service without hot paths (the
   * front door) never chooses one.
   */
  @jakarta.inject.Inject
  public Readiness(GrpcHealthStorage health, jakarta.enterprise.inject.Instance<ComputeBackend> backend) {
    this(health, () -> backend.get().provider().backend().id());
  }

  /** Creates the readiness holder naming the backend that {@code backend} says. */
  public Readiness(GrpcHealthStorage health, java.util.function.Supplier<String> backend) {
    this.health = health;
    this.backend = backend;
  }

  /** Marks the service and {@code services} NOT_SERVING (before warm-up). */
  public void starting(String... services) {
    warming = !ready.get();
    set(ServingStatus.NOT_SERVING, services);
  }

  /**
   * Marks everything NOT_SERVING when a graceful shutdown begins ({@code quarkus.shutdown.delay}),
   * so that probes and the front door's dependency checks stop sending calls while the calls in
   * flight finish ({@code quarkus.shutdown.timeout}); nothing marks it SERVING again.
   */
  void shuttingDown(@jakarta.enterprise.event.Observes io.quarkus.runtime.ShutdownDelayInitiatedEvent event) {
    draining = true;
    set(ServingStatus.NOT_SERVING, health.getStatuses().keySet().toArray(String[]::new));
    LOG.info("shutting down: health says NOT_SERVING while the calls in flight finish");
  }

  /** Marks the service and {@code services} SERVING. */
  public void ready(String... services) {
    if (draining) {
      return;
    }
    set(ServingStatus.SERVING, services);
    warming = false;
    if (ready.compareAndSet(false, true)) {
      LOG.infof("warm and ready on the %s backend: health says SERVING", backend.get());
    }
  }

  /**
   * Warms a service up: marks it NOT_SERVING, runs {@code warmUp} on a thread of its own (so that
   * health checks are answered meanwhile) and marks it SERVING when that returns. A warm-up that
   * fails leaves the service NOT_SERVING, with the reason in the log: it could not screen a plain
   * input, so it must take no traffic.
   *
   * @param service the full gRPC service name, such as {@code screenmesh.text.v1.TextScreeningService}
   * @param warmUp screens a few generated inputs through the engine, calling no peer
   */
  public void warmUp(String service, Runnable warmUp) {
    starting(service);
    Thread.ofVirtual().name("warm-up").start(() -> {
      long t0 = System.nanoTime();
      try {
        warmUp.run();
      } catch (RuntimeException | Error e) {
        LOG.errorf(e, "%s: the warm-up failed; the service stays NOT_SERVING", service);
        return;
      }
      LOG.infof("%s warmed up in %d ms", service, (System.nanoTime() - t0) / 1_000_000);
      ready(service);
    });
  }

  /** True once {@link #ready} was called. */
  public boolean isReady() {
    return ready.get();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    if (!warming || !HEALTH_CHECK.equals(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    // Parsed by the call's own marshaller, so the answer has the type the health service uses.
    RespT notServing = call.getMethodDescriptor().parseResponse(new java.io.ByteArrayInputStream(
        HealthCheckResponse.newBuilder().setStatus(ServingStatus.NOT_SERVING).build().toByteArray()));
    call.request(1);
    call.sendHeaders(new Metadata());
    call.sendMessage(notServing);
    call.close(Status.OK, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private void set(ServingStatus status, String... services) {
    health.setStatus(GrpcHealthStorage.DEFAULT_SERVICE_NAME, status);
    for (String s : services) {
      health.setStatus(s, status);
    }
  }
}
