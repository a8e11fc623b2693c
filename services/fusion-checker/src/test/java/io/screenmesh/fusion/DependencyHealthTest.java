package io.screenmesh.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.screenmesh.fusion.DependencyHealth.Dependency;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DependencyHealthTest {

  /** A modality service's health endpoint whose answer the test sets. */
  private static final class ScriptedHealth extends HealthGrpc.HealthImplBase {
    volatile ServingStatus status = ServingStatus.SERVING;

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
      out.onNext(HealthCheckResponse.newBuilder().setStatus(status).build());
      out.onCompleted();
    }
  }

  private final Map<Dependency, ScriptedHealth> peers = new EnumMap<>(Dependency.class);
  private final Map<Dependency, Server> servers = new EnumMap<>(Dependency.class);
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final Map<String, ServingStatus> published = new ConcurrentHashMap<>();
  private DependencyHealth health;

  @BeforeEach
  void start() throws Exception {
    Map<Dependency, Channel> byDependency = new EnumMap<>(Dependency.class);
    for (Dependency d : Dependency.values()) {
      ScriptedHealth h = new ScriptedHealth();
      Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(h).build().start();
      ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", s.getPort()).usePlaintext().build();
      peers.put(d, h);
      servers.put(d, s);
      channels.add(ch);
      byDependency.put(d, ch);
    }
    // A generous interval: it is each check's deadline, and a loaded machine must not fail one.
    health = new DependencyHealth(byDependency, published::put, Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Server s : servers.values()) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private ServingStatus frontDoor() {
    assertEquals(published.get(GrpcHealthStorage.DEFAULT_SERVICE_NAME), published.get(DependencyHealth.FRONT_DOOR));
    return published.get(DependencyHealth.FRONT_DOOR);
  }

  @Test
  void servingWhileEveryDependencyServes() {
    health.checkAll();
    assertEquals(ServingStatus.SERVING, frontDoor());
    for (Dependency d : Dependency.values()) {
      assertEquals(ServingStatus.SERVING, published.get(d.service), d.name());
    }
  }

  @Test
  void notServingWhileTextScreeningIsNotServingAndBackAfter() {
    peers.get(Dependency.TEXT).status = ServingStatus.NOT_SERVING;
    health.checkAll();
    assertEquals(ServingStatus.NOT_SERVING, frontDoor());
    assertEquals(ServingStatus.NOT_SERVING, published.get(Dependency.TEXT.service));

    peers.get(Dependency.TEXT).status = ServingStatus.SERVING;
    health.checkAll();
    assertEquals(ServingStatus.SERVING, frontDoor());
  }

  @Test
  void notServingWhileTextScreeningIsDead() throws Exception {
    servers.get(Dependency.TEXT).shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    health.checkAll();
    assertEquals(ServingStatus.NOT_SERVING, frontDoor());
    assertEquals(ServingStatus.NOT_SERVING, published.get(Dependency.TEXT.service));
  }

  @Test
  void imageDownIsReportedButLeavesTheFrontDoorServing() throws Exception {
    servers.get(Dependency.IMAGE).shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    peers.get(Dependency.AUDIO).status = ServingStatus.NOT_SERVING;
    health.checkAll();
    assertEquals(ServingStatus.SERVING, frontDoor());
    assertEquals(ServingStatus.NOT_SERVING, published.get(Dependency.IMAGE.service));
    assertEquals(ServingStatus.NOT_SERVING, published.get(Dependency.AUDIO.service));
    assertEquals(ServingStatus.SERVING, published.get(Dependency.TEXT.service));
  }
}
