package io.screenmesh.fusion;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * The front door's health, per its dependencies: every {@code screenmesh.fusion.health.interval}
 * it asks each modality service's gRPC health and publishes the answers in its own health
 * service under the modality services' names ({@code screenmesh.text.v1.TextScreeningService},
 * ...), so an operator sees which one is degraded. Without text-screening every item that carries
 * text BLOCKs, so the front door as a whole ({@code ""} and {@code FusionCheckerService}) says
 * NOT_SERVING then, and a load balancer sends its callers elsewhere; image or audio down leaves
 * it SERVING (their parts follow the policy's fail rule) with the named entry NOT_SERVING.
 * A check that does not answer within the interval counts as NOT_SERVING.
 */
@ApplicationScoped
public class DependencyHealth {

  /** The dependencies, by the health-service name each is published under. */
  enum Dependency {
    TEXT("screenmesh.text.v1.TextScreeningService", true),
    IMAGE("screenmesh.image.v1.ImageScreeningService", false),
    AUDIO("screenmesh.audio.v1.AudioScreeningService", false);

    final String service;
    /** Whether the front door as a whole cannot serve without it. */
    final boolean essential;

    Dependency(String service, boolean essential) {
      this.service = service;
      this.essential = essential;
    }
  }

  static final String FRONT_DOOR = "screenmesh.fusion.v1.FusionCheckerService";
  private static final Logger LOG = Logger.getLogger(DependencyHealth.class);

  private final Map<Dependency, HealthGrpc.HealthStub> stubs = new EnumMap<>(Dependency.class);
  private final Map<Dependency, ServingStatus> last = new EnumMap<>(Dependency.class);
  private final BiConsumer<String, ServingStatus> publish;
  private final Duration interval;
  private volatile boolean stopped;
  private ScheduledExecutorService timer;

  /** Watches the configured {@code text}, {@code image} and {@code audio} clients. */
  @Inject
  public DependencyHealth(@GrpcClient("text") Channel text, @GrpcClient("image") Channel image,
      @GrpcClient("audio") Channel audio, GrpcHealthStorage health, FusionConfig config) {
    this(Map.of(Dependency.TEXT, text, Dependency.IMAGE, image, Dependency.AUDIO, audio), health::setStatus,
        config.health().interval());
  }

  /**
   * Watches {@code channels}, publishing through {@code publish} (tools and tests).
   *
   * @param channels a channel per dependency
   * @param publish sets a health-service name's status
   * @param interval time between checks, and the deadline of each
   */
  DependencyHealth(Map<Dependency, Channel> channels, BiConsumer<String, ServingStatus> publish, Duration interval) {
    channels.forEach((d, ch) -> stubs.put(d, HealthGrpc.newStub(ch)));
    this.publish = publish;
    this.interval = interval;
  }

  void start(@Observes StartupEvent ignored) {
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "dependency-health");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::checkAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  void draining(@Observes ShutdownDelayInitiatedEvent ignored) {
    // Readiness says NOT_SERVING for the shutdown; the checks must not say SERVING again.
    stopped = true;
  }

  void stop(@Observes ShutdownEvent ignored) {
    stopped = true;
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  /** Asks every dependency once and publishes what it says when all have answered. */
  void checkAll() {
    Map<Dependency, ServingStatus> now = new LinkedHashMap<>();
    var done = new java.util.concurrent.CountDownLatch(stubs.size());
    stubs.forEach((d, stub) -> stub.withDeadlineAfter(interval.toMillis(), TimeUnit.MILLISECONDS)
        .check(HealthCheckRequest.getDefaultInstance(), new StreamObserver<>() {
          @Override
          public void onNext(HealthCheckResponse r) {
            synchronized (now) {
              now.put(d, r.getStatus());
            }
          }

          @Override
          public void onError(Throwable t) {
            done.countDown();
          }

          @Override
          public void onCompleted() {
            done.countDown();
          }
        }));
    try {
      // The calls' own deadlines bound this wait; the extra second covers a stuck callback.
      done.await(interval.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    synchronized (now) {
      publish(now);
    }
  }

  private void publish(Map<Dependency, ServingStatus> answers) {
    if (stopped) {
      return;
    }
    boolean serving = true;
    for (Dependency d : stubs.keySet()) {
      ServingStatus s = answers.get(d) == ServingStatus.SERVING ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
      publish.accept(d.service, s);
      if (last.put(d, s) != s && s != ServingStatus.SERVING) {
        LOG.warnf("%s is not serving%s", d.service, d.essential ? ": the front door says NOT_SERVING until it is back" : "");
      }
      serving &= !d.essential || s == ServingStatus.SERVING;
    }
    ServingStatus own = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    publish.accept(GrpcHealthStorage.DEFAULT_SERVICE_NAME, own);
    publish.accept(FRONT_DOOR, own);
  }
}
