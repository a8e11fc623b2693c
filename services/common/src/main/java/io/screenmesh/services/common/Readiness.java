package io.screenmesh.services.common;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
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
 */
@ApplicationScoped
public class Readiness {

  private static final Logger LOG = Logger.getLogger(Readiness.class);

  private final GrpcHealthStorage health;
  private final ComputeBackend backend;
  private final AtomicBoolean ready = new AtomicBoolean();

  /** Creates the readiness holder over Quarkus' gRPC health storage. */
  public Readiness(GrpcHealthStorage health, ComputeBackend backend) {
    this.health = health;
    this.backend = backend;
  }

  /** Marks the service and {@code services} NOT_SERVING (before warm-up). */
  public void starting(String... services) {
    set(ServingStatus.NOT_SERVING, services);
  }

  /** Marks the service and {@code services} SERVING. */
  public void ready(String... services) {
    set(ServingStatus.SERVING, services);
    if (ready.compareAndSet(false, true)) {
      LOG.infof("warm and ready on the %s backend: health says SERVING", backend.provider().backend().id());
    }
  }

  /** True once {@link #ready} was called. */
  public boolean isReady() {
    return ready.get();
  }

  private void set(ServingStatus status, String... services) {
    health.setStatus(GrpcHealthStorage.DEFAULT_SERVICE_NAME, status);
    for (String s : services) {
      health.setStatus(s, status);
    }
  }
}
