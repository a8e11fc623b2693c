package io.screenmesh.services.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import org.junit.jupiter.api.Test;

/** Health says NOT_SERVING from start-up until warm-up ends, even where the server already says SERVING. */
class ReadinessTest {

  @Test
  void healthIsNotServingWhileWarmingAndServingAfter() throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    // What Quarkus does when its server starts, before any service could say it is warming up.
    health.setStatus("", HealthCheckResponse.ServingStatus.SERVING);
    Readiness readiness = new Readiness(new GrpcHealthStorage(), () -> "java");
    String name = InProcessServerBuilder.generateName();
    Server server = InProcessServerBuilder.forName(name)
        .addService(ServerInterceptors.intercept(health.getHealthService(), readiness)).build().start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    try {
      var stub = HealthGrpc.newBlockingStub(channel);
      // A service that never warms up (the front door) is left alone.
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, stub.check(HealthCheckRequest.getDefaultInstance()).getStatus());
      readiness.starting("screenmesh.text.v1.TextScreeningService");
      assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING, stub.check(HealthCheckRequest.getDefaultInstance()).getStatus());
      assertTrue(!readiness.isReady());
      readiness.ready("screenmesh.text.v1.TextScreeningService");
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, stub.check(HealthCheckRequest.getDefaultInstance()).getStatus());
      assertTrue(readiness.isReady());
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  @Test
  void aGracefulShutdownMarksEverythingNotServingForGood() {
    GrpcHealthStorage storage = new GrpcHealthStorage();
    Readiness readiness = new Readiness(storage, () -> "java");
    readiness.ready("screenmesh.text.v1.TextScreeningService");
    storage.setStatus("screenmesh.fusion.v1.FusionCheckerService", grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus.SERVING);

    readiness.shuttingDown(new io.quarkus.runtime.ShutdownDelayInitiatedEvent());
    storage.getStatuses().forEach((service, status) -> assertEquals(
        grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus.NOT_SERVING, status, "'" + service + "'"));
    assertTrue(storage.getStatuses().containsKey(GrpcHealthStorage.DEFAULT_SERVICE_NAME));

    // A warm-up that ends during the shutdown must not make it SERVING again.
    readiness.ready("screenmesh.text.v1.TextScreeningService");
    assertEquals(grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus.NOT_SERVING,
        storage.getStatuses().get("screenmesh.text.v1.TextScreeningService"));
  }
}
