package io.screenmesh.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every service answers grpc.health.v1 and lists its API over server reflection. */
@ExtendWith(MeshExtension.class)
class HealthAndReflectionIT {

  private static final Map<MeshService, String> API = Map.of(
      MeshService.TEXT, "screenmesh.text.v1.TextScreeningService",
      MeshService.IMAGE, "screenmesh.image.v1.ImageScreeningService",
      MeshService.AUDIO, "screenmesh.audio.v1.AudioScreeningService",
      MeshService.FUSION, "screenmesh.fusion.v1.FusionCheckerService");

  private final Mesh mesh;

  HealthAndReflectionIT(Mesh mesh) {
    this.mesh = mesh;
  }

  @ParameterizedTest
  @EnumSource(MeshService.class)
  void healthServesForTheServerAndItsApi(MeshService service) {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(mesh.channel(service))
        .withDeadlineAfter(5, TimeUnit.SECONDS);
    assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
    assertEquals(ServingStatus.SERVING,
        health.check(HealthCheckRequest.newBuilder().setService(API.get(service)).build()).getStatus());
  }

  @ParameterizedTest
  @EnumSource(MeshService.class)
  void reflectionListsTheApi(MeshService service) throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(mesh.channel(service))
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse r) {
            answer.complete(r);
          }

          @Override
          public void onError(Throwable t) {
            answer.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            answer.completeExceptionally(new AssertionError("reflection stream ended without an answer"));
          }
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();

    List<String> names = answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList()
        .stream().map(ServiceResponse::getName).toList();
    assertTrue(names.contains(API.get(service)), service.module() + " lists " + names);
    assertTrue(names.contains("grpc.health.v1.Health"), service.module() + " lists " + names);
  }
}
