package io.screenmesh.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The mesh's transport rules: TLS everywhere, client certificates required by the modality
 * services (only the front door and its peers hold one), the front door open to any TLS
 * client (it checks the bearer token instead).
 */
@ExtendWith(MeshExtension.class)
class TransportSecurityIT {

  private final Mesh mesh;

  TransportSecurityIT(Mesh mesh) {
    this.mesh = mesh;
  }

  @ParameterizedTest
  @EnumSource(value = MeshService.class, names = {"TEXT", "IMAGE", "AUDIO"})
  void modalityServicesRefuseAClientWithoutCertificate(MeshService service) throws Exception {
    ManagedChannel ch = mesh.channelWithoutClientCertificate(service);
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> health(ch));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void frontDoorTakesAnyTlsClient() throws Exception {
    ManagedChannel ch = mesh.channelWithoutClientCertificate(MeshService.FUSION);
    try {
      assertEquals(ServingStatus.SERVING, health(ch));
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @EnumSource(MeshService.class)
  void noServiceSpeaksPlaintext(MeshService service) throws Exception {
    ManagedChannel ch = mesh.plaintextChannel(service);
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> health(ch));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static ServingStatus health(ManagedChannel ch) {
    return HealthGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus();
  }
}
