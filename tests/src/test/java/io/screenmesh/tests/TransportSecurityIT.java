package io.screenmesh.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.screenmesh.audio.v1.AudioScreeningServiceGrpc;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.image.v1.ImageScreeningServiceGrpc;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The mesh's transport rules: TLS everywhere, client certificates required by the modality
 * services, which admit only the identities that call them (the front door; image and audio
 * screening at text-screening), the front door open to any TLS client (it checks the bearer
 * token instead).
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

  @ParameterizedTest
  @EnumSource(value = MeshService.class, names = {"TEXT", "IMAGE", "AUDIO"})
  void modalityServicesRefuseTheClisCertificate(MeshService service) throws Exception {
    // Signed by the mesh CA, but issued to the CLI: it must not skip the front door.
    ManagedChannel ch = mesh.channelAs(service, "client");
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> screenSomething(service, ch));
      assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), e.toString());
      assertEquals("CLIENT_NOT_ALLOWED", Screening.reason(e));
      assertEquals(ServingStatus.SERVING, health(ch), "probes and tooling still reach health");
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Calls the service's own unary method (an unknown method is UNIMPLEMENTED before any check). */
  private static Object screenSomething(MeshService service, ManagedChannel ch) {
    return switch (service) {
      case TEXT -> TextScreeningServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
          .screenText(ScreenTextRequest.newBuilder().setId("skip").setText("hello").build());
      case IMAGE -> ImageScreeningServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
          .screenImage(ScreenImageRequest.newBuilder().setId("skip").build());
      case AUDIO -> AudioScreeningServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
          .screenAudio(ScreenAudioRequest.newBuilder().setId("skip").build());
      case FUSION -> throw new IllegalArgumentException("the front door checks tokens, not certificates");
    };
  }

  @Test
  void imageScreeningRefusesAudioScreeningsIdentity() throws Exception {
    ManagedChannel ch = mesh.channelAs(MeshService.IMAGE, MeshService.AUDIO.module());
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> screenSomething(MeshService.IMAGE, ch));
      assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), e.toString());
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
