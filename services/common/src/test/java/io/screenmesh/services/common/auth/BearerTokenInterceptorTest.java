package io.screenmesh.services.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokenInterceptorTest {

  @TempDir Path dir;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, "s3cret-token\n");
    BearerTokenInterceptor auth = new BearerTokenInterceptor(Optional.of(tokenFile.toString()));
    String name = InProcessServerBuilder.generateName();
    var echo = new TextScreeningServiceGrpc.TextScreeningServiceImplBase() {
      @Override
      public void screenText(ScreenTextRequest req, StreamObserver<ScreenTextResponse> out) {
        out.onNext(ScreenTextResponse.newBuilder().setId(req.getId()).build());
        out.onCompleted();
      }
    };
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(ServerInterceptors.intercept(echo, auth))
        .addService(ServerInterceptors.intercept(new HealthStatusManager().getHealthService(), auth))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private TextScreeningServiceGrpc.TextScreeningServiceBlockingStub stub(String authorization) {
    var s = TextScreeningServiceGrpc.newBlockingStub(channel);
    if (authorization == null) {
      return s;
    }
    Metadata md = new Metadata();
    md.put(BearerTokenInterceptor.AUTHORIZATION, authorization);
    return s.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  @Test
  void rightTokenPasses() {
    assertEquals("a", stub("Bearer s3cret-token").screenText(ScreenTextRequest.newBuilder().setId("a").build()).getId());
  }

  @Test
  void missingTokenIsUnauthenticatedWithReason() {
    var e = assertThrows(StatusRuntimeException.class, () -> stub(null).screenText(ScreenTextRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertEquals("TOKEN_MISSING", GrpcErrors.reasonOf(e));
  }

  @Test
  void wrongTokenIsUnauthenticatedWithReason() {
    var e = assertThrows(StatusRuntimeException.class,
        () -> stub("Bearer s3cret-tokeN").screenText(ScreenTextRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertEquals("TOKEN_INVALID", GrpcErrors.reasonOf(e));
  }

  @Test
  void healthNeedsNoToken() {
    assertEquals(HealthCheckResponse.ServingStatus.SERVING,
        HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus());
  }

  @Test
  void withoutTokenFileEverythingPasses() throws Exception {
    server.shutdownNow();
    BearerTokenInterceptor open = new BearerTokenInterceptor(Optional.empty());
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(ServerInterceptors.intercept(new TextScreeningServiceGrpc.TextScreeningServiceImplBase() {
          @Override
          public void screenText(ScreenTextRequest req, StreamObserver<ScreenTextResponse> out) {
            out.onNext(ScreenTextResponse.newBuilder().setId(req.getId()).build());
            out.onCompleted();
          }
        }, open)).build().start();
    channel.shutdownNow();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    assertEquals("b", stub(null).screenText(ScreenTextRequest.newBuilder().setId("b").build()).getId());
  }
}
