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
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import io.screenmesh.text.v1.ScreenTextStreamRequest;
import io.screenmesh.text.v1.ScreenTextStreamResponse;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokenInterceptorTest {

  private static final String ISSUER = "https://issuer.test";
  private static final String AUDIENCE = "screenmesh";
  private static RsaJsonWebKey oldKey;
  private static RsaJsonWebKey newKey;
  private static RsaJsonWebKey strangerKey;

  @TempDir Path dir;
  private Server server;
  private ManagedChannel channel;
  /** The principal the service saw on its last call. */
  private volatile Principal seen;

  @BeforeAll
  static void keys() throws JoseException {
    oldKey = rsa("old");
    newKey = rsa("new");
    strangerKey = rsa("new");
  }

  private static RsaJsonWebKey rsa(String kid) throws JoseException {
    RsaJsonWebKey k = RsaJwkGenerator.generateJwk(2048);
    k.setKeyId(kid);
    return k;
  }

  /** A server behind {@code auth} whose handlers record the principal they run for. */
  private void start(BearerTokenInterceptor auth) throws Exception {
    String name = InProcessServerBuilder.generateName();
    var echo = new TextScreeningServiceGrpc.TextScreeningServiceImplBase() {
      @Override
      public void screenText(ScreenTextRequest req, StreamObserver<ScreenTextResponse> out) {
        seen = Principal.current();
        out.onNext(ScreenTextResponse.newBuilder().setId(req.getId()).build());
        out.onCompleted();
      }

      @Override
      public StreamObserver<ScreenTextStreamRequest> screenTextStream(StreamObserver<ScreenTextStreamResponse> out) {
        seen = Principal.current();
        return new StreamObserver<>() {
          @Override
          public void onNext(ScreenTextStreamRequest r) {
            out.onNext(ScreenTextStreamResponse.newBuilder().setId(r.getRequest().getId()).build());
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            out.onCompleted();
          }
        };
      }
    };
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(ServerInterceptors.intercept(echo, auth))
        .addService(ServerInterceptors.intercept(new HealthStatusManager().getHealthService(), auth))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  /** A server that takes the static token and JWTs signed by the old or the new key. */
  private void startWithBoth() throws Exception {
    Path jwks = dir.resolve("jwks.json");
    // Both keys published during a rotation: tokens of either verify.
    Files.writeString(jwks, new JsonWebKeySet(oldKey, newKey).toJson());
    start(new BearerTokenInterceptor("s3cret-token", Set.of(Principal.SCREEN), new JwtVerifier(jwks.toString(),
        ISSUER, List.of(AUDIENCE), Duration.ofSeconds(5), Duration.ofMinutes(10), SignatureAlgorithm.RS256)));
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static String jwt(RsaJsonWebKey key, String issuer, String audience, long expiresInSeconds, String scope)
      throws JoseException {
    JwtClaims c = new JwtClaims();
    c.setIssuer(issuer);
    c.setAudience(audience);
    c.setSubject("pipeline-7");
    c.setIssuedAtToNow();
    NumericDate exp = NumericDate.now();
    exp.addSeconds(expiresInSeconds);
    c.setExpirationTime(exp);
    c.setGeneratedJwtId();
    if (scope != null) {
      c.setClaim("scope", scope);
    }
    return TestJwts.sign(key, c);
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

  private StatusRuntimeException refused(String authorization) {
    return assertThrows(StatusRuntimeException.class,
        () -> stub(authorization).screenText(ScreenTextRequest.getDefaultInstance()));
  }

  private static void assertStatus(Status.Code code, String reason, StatusRuntimeException e) {
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertEquals(reason, GrpcErrors.reasonOf(e));
  }

  @Test
  void staticTokenFileStillWorksAsADevelopmentOption() throws Exception {
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, "s3cret-token\n");
    start(new BearerTokenInterceptor(Optional.of(tokenFile.toString()), "screen screen:batch", Optional.empty(),
        Optional.empty(), Optional.empty(), Duration.ofSeconds(30), Duration.ofMinutes(10), SignatureAlgorithm.RS256));
    assertEquals("a", stub("Bearer s3cret-token").screenText(ScreenTextRequest.newBuilder().setId("a").build()).getId());
    assertEquals(new Principal(Principal.STATIC_TOKEN, Set.of(Principal.SCREEN, Principal.SCREEN_BATCH)), seen);
    assertStatus(Status.Code.UNAUTHENTICATED, "TOKEN_INVALID", refused("Bearer s3cret-tokeN"));
  }

  @Test
  void jwtOfEitherPublishedKeyPassesAndNamesItsPrincipal() throws Exception {
    startWithBoth();
    for (RsaJsonWebKey k : List.of(oldKey, newKey)) {
      seen = null;
      stub("Bearer " + jwt(k, ISSUER, AUDIENCE, 300, "screen policy:availability-first"))
          .screenText(ScreenTextRequest.newBuilder().setId("a").build());
      assertEquals(new Principal("pipeline-7", Set.of("screen", "policy:availability-first")), seen, k.getKeyId());
    }
  }

  @Test
  void missingTokenIsUnauthenticated() throws Exception {
    startWithBoth();
    assertStatus(Status.Code.UNAUTHENTICATED, "TOKEN_MISSING", refused(null));
    assertStatus(Status.Code.UNAUTHENTICATED, "TOKEN_MISSING", refused("Basic dXNlcjpwYXNz"));
  }

  @Test
  void expiredTokenIsUnauthenticated() throws Exception {
    startWithBoth();
    assertStatus(Status.Code.UNAUTHENTICATED, "TOKEN_EXPIRED", refused("Bearer " + jwt(newKey, ISSUER, AUDIENCE, -120, "screen")));
  }

  @Test
  void wrongAudienceIsUnauthenticated() throws Exception {
    startWithBoth();
    assertStatus(Status.Code.UNAUTHENTICATED, "TOKEN_AUDIENCE", refused("Bearer " + jwt(newKey, ISSUER, "billing", 300, "screen")));
  }

  @Test
  void wrongIssuerIsUnauthenticated() throws Exception {
    startWithBoth();
    assertStatus(Status.Code.UNAUTHENTICATED, "TOKEN_ISSUER",
        refused("Bearer " + jwt(newKey, "https://elsewhere.test", AUDIENCE, 300, "screen")));
  }

  @Test
  void tokenSignedByAnUnpublishedKeyIsUnauthenticated() throws Exception {
    startWithBoth();
    // Same kid as a published key, different key pair: the signature decides.
    assertStatus(Status.Code.UNAUTHENTICATED, "TOKEN_INVALID", refused("Bearer " + jwt(strangerKey, ISSUER, AUDIENCE, 300, "screen")));
    assertStatus(Status.Code.UNAUTHENTICATED, "TOKEN_INVALID", refused("Bearer not.a.jwt"));
  }

  @Test
  void wrongScopeIsPermissionDenied() throws Exception {
    startWithBoth();
    assertStatus(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", refused("Bearer " + jwt(newKey, ISSUER, AUDIENCE, 300, "screen:batch")));
    assertStatus(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", refused("Bearer " + jwt(newKey, ISSUER, AUDIENCE, 300, null)));
  }

  @Test
  void streamsNeedTheBatchScope() throws Exception {
    startWithBoth();
    // The static token here grants "screen" only.
    var failures = new java.util.concurrent.LinkedBlockingQueue<Throwable>();
    Metadata md = new Metadata();
    md.put(BearerTokenInterceptor.AUTHORIZATION, "Bearer s3cret-token");
    var requests = TextScreeningServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .screenTextStream(new StreamObserver<>() {
          @Override
          public void onNext(ScreenTextStreamResponse value) {}

          @Override
          public void onError(Throwable t) {
            failures.add(t);
          }

          @Override
          public void onCompleted() {}
        });
    requests.onCompleted();
    Throwable t = failures.poll(5, TimeUnit.SECONDS);
    assertStatus(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING", (StatusRuntimeException) t);
  }

  @Test
  void healthNeedsNoToken() throws Exception {
    startWithBoth();
    assertEquals(HealthCheckResponse.ServingStatus.SERVING,
        HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus());
  }

  @Test
  void withoutConfigurationEverythingPassesAsUnrestricted() throws Exception {
    start(new BearerTokenInterceptor(null, Set.of(), null));
    assertEquals("b", stub(null).screenText(ScreenTextRequest.newBuilder().setId("b").build()).getId());
    assertEquals(Principal.UNAUTHENTICATED, seen);
  }
}
