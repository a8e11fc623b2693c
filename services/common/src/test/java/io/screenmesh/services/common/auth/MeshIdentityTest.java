package io.screenmesh.services.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import io.screenmesh.services.common.GrpcErrors;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The development material of deploy/mesh-tls.sh and deploy/mint-token.sh against the checks
 * that use it: a TLS server that admits only the front door's certificate by SAN, and the JWT
 * verifier with the development key.
 */
class MeshIdentityTest {

  private static final Path ROOT = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();

  @TempDir static Path dir;
  private static Server server;
  private static final List<ManagedChannel> CHANNELS = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    run(ROOT.resolve("deploy/mesh-tls.sh").toString(), dir.toString(), "1", "DNS:localhost,IP:127.0.0.1");
    var echo = new TextScreeningServiceGrpc.TextScreeningServiceImplBase() {
      @Override
      public void screenText(ScreenTextRequest req, StreamObserver<ScreenTextResponse> out) {
        out.onNext(ScreenTextResponse.newBuilder().setId(req.getId()).build());
        out.onCompleted();
      }
    };
    // As image-screening is configured by the launcher: the front door's identity only.
    ClientIdentityInterceptor identities = new ClientIdentityInterceptor(Set.of("spiffe://screenmesh/fusion-checker"));
    server = Grpc.newServerBuilderForPort(0, TlsServerCredentials.newBuilder()
            .keyManager(file("server.crt"), file("server.key"))
            .trustManager(file("ca.crt"))
            .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
            .build())
        .addService(ServerInterceptors.intercept(echo, identities))
        .addService(ServerInterceptors.intercept(new HealthStatusManager().getHealthService(), identities))
        .build().start();
  }

  @AfterAll
  static void stop() throws Exception {
    for (ManagedChannel c : CHANNELS) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static File file(String name) {
    return dir.resolve(name).toFile();
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(command[0] + " did not finish within 60 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), command[0] + ": " + out);
    return out;
  }

  private static TextScreeningServiceGrpc.TextScreeningServiceBlockingStub as(String identity) throws IOException {
    ChannelCredentials creds = TlsChannelCredentials.newBuilder()
        .keyManager(file(identity + ".crt"), file(identity + ".key"))
        .trustManager(file("ca.crt"))
        .build();
    ManagedChannel ch = Grpc.newChannelBuilderForAddress("localhost", server.getPort(), creds).build();
    CHANNELS.add(ch);
    return TextScreeningServiceGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  @Test
  void theFrontDoorsCertificateIsAdmitted() throws Exception {
    assertEquals("a", as("fusion-checker").screenText(ScreenTextRequest.newBuilder().setId("a").build()).getId());
  }

  @Test
  void theClisCertificateIsRefusedThoughTheCaSignedIt() throws Exception {
    for (String identity : List.of("client", "image-screening")) {
      var e = assertThrows(StatusRuntimeException.class, () -> as(identity).screenText(ScreenTextRequest.getDefaultInstance()));
      assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), identity);
      assertEquals("CLIENT_NOT_ALLOWED", GrpcErrors.reasonOf(e), identity);
    }
  }

  @Test
  void healthIsOpenToAnyCertificateOfTheCa() throws Exception {
    var ch = Grpc.newChannelBuilderForAddress("localhost", server.getPort(), TlsChannelCredentials.newBuilder()
        .keyManager(file("client.crt"), file("client.key")).trustManager(file("ca.crt")).build()).build();
    CHANNELS.add(ch);
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(ch)
        .withDeadlineAfter(20, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
  }

  @Test
  void aMintedDevelopmentTokenVerifiesWithTheDevelopmentKey() throws Exception {
    String token = run(ROOT.resolve("deploy/mint-token.sh").toString(), dir.toString(),
        "screen policy:availability-first", "60", "demo").strip();
    JwtVerifier verifier = new JwtVerifier(dir.resolve("jwt.pub").toString(), "screenmesh-dev", List.of("screenmesh"),
        Duration.ofSeconds(5), Duration.ofMinutes(10), SignatureAlgorithm.RS256);
    assertEquals(new Principal("demo", Set.of("screen", "policy:availability-first")), verifier.verify(token));
    assertEquals(List.of("spiffe://screenmesh/cli"), ClientIdentityInterceptor.names(
        (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(Files.newInputStream(dir.resolve("client.crt")))));
  }
}
