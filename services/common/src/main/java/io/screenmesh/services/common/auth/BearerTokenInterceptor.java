package io.screenmesh.services.common.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.ScreeningException;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Authenticates every screening call by its {@code authorization: Bearer <token>} header and
 * checks the scope its RPC needs, putting the caller's {@link Principal} in the call's context.
 *
 * <ul>
 *   <li>JWTs ({@code screenmesh.auth.jwt.keys}, {@code .issuer}, {@code .audience},
 *       {@code .algorithm} (RS256), {@code .clock-skew}, {@code .refresh}): verified
 *       by {@link JwtVerifier}; the principal is the token's subject with its scopes.</li>
 *   <li>The static development token ({@code screenmesh.auth.token-file}): one shared secret,
 *       granted the scopes in {@code screenmesh.auth.token-scopes} (by default
 *       {@code screen screen:batch}, so it cannot pick a fail-open policy).</li>
 * </ul>
 *
 * <p>A unary screening RPC needs scope {@value Principal#SCREEN}, a streaming one
 * {@value Principal#SCREEN_BATCH}. No token, or one that does not verify: UNAUTHENTICATED
 * (reasons TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_AUDIENCE, TOKEN_ISSUER); a valid
 * token without the scope: PERMISSION_DENIED (SCOPE_MISSING). Health and reflection stay open
 * so probes and tooling work. With neither configured the interceptor lets every call through:
 * the modality services are reached over mutual TLS only (their callers are checked by
 * certificate, {@code ClientIdentityInterceptor}), and the front door is the one that sets it.
 */
@ApplicationScoped
@GlobalInterceptor
public class BearerTokenInterceptor implements ServerInterceptor {

  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  /** The principal of a call that presented the static development token. */
  public static final String STATIC_TOKEN_PRINCIPAL = Principal.STATIC_TOKEN;
  private static final Logger LOG = Logger.getLogger(BearerTokenInterceptor.class);

  private final byte[] staticDigest;
  private final Principal staticPrincipal;
  private final JwtVerifier jwt;

  /**
   * Reads the configuration once at start-up.
   *
   * @throws UncheckedIOException when the token file cannot be read
   * @throws IllegalStateException when the token file is empty
   * @throws IllegalArgumentException when JWT keys are set without issuer or audience
   */
  @Inject
  public BearerTokenInterceptor(
      @ConfigProperty(name = "screenmesh.auth.token-file") Optional<String> tokenFile,
      @ConfigProperty(name = "screenmesh.auth.token-scopes", defaultValue = "screen screen:batch") String tokenScopes,
      @ConfigProperty(name = "screenmesh.auth.jwt.keys") Optional<String> jwtKeys,
      @ConfigProperty(name = "screenmesh.auth.jwt.issuer") Optional<String> issuer,
      @ConfigProperty(name = "screenmesh.auth.jwt.audience") Optional<List<String>> audience,
      @ConfigProperty(name = "screenmesh.auth.jwt.clock-skew", defaultValue = "30s") Duration clockSkew,
      @ConfigProperty(name = "screenmesh.auth.jwt.refresh", defaultValue = "10m") Duration refresh,
      @ConfigProperty(name = "screenmesh.auth.jwt.algorithm", defaultValue = "RS256") SignatureAlgorithm algorithm) {
    this(tokenFile.filter(s -> !s.isBlank()).map(BearerTokenInterceptor::readToken).orElse(null),
        scopes(tokenScopes),
        jwtKeys.filter(s -> !s.isBlank())
            .map(k -> new JwtVerifier(k, issuer.orElse(""), audience.orElse(List.of()), clockSkew, refresh, algorithm))
            .orElse(null));
    if (staticDigest != null) {
      LOG.infof("bearer-token authentication enabled: static development token (scopes %s)", staticPrincipal.scopes());
    }
    if (jwt != null) {
      LOG.infof("bearer-token authentication enabled: JWTs from %s for audience %s, issuer %s",
          jwtKeys.get(), audience.orElse(List.of()), issuer.orElse(""));
    }
  }

  /**
   * Creates an interceptor from its parts (tests, tools).
   *
   * @param staticToken the static token, or null for none
   * @param staticScopes the scopes the static token grants
   * @param jwt the JWT verifier, or null for none
   */
  public BearerTokenInterceptor(String staticToken, Set<String> staticScopes, JwtVerifier jwt) {
    this.staticDigest = staticToken == null ? null : sha256(staticToken);
    this.staticPrincipal = new Principal(Principal.STATIC_TOKEN, staticScopes);
    this.jwt = jwt;
  }

  private static String readToken(String file) {
    try {
      String token = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new IllegalStateException("screenmesh.auth.token-file " + file + " is empty");
      }
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read screenmesh.auth.token-file " + file, e);
    }
  }

  private static Set<String> scopes(String s) {
    return Set.copyOf(Arrays.stream(s.strip().split("[\\s,]+")).filter(x -> !x.isEmpty()).toList());
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
    if ((staticDigest == null && jwt == null) || isOpen(method.getServiceName())) {
      return next.startCall(call, headers);
    }
    Principal principal;
    try {
      principal = authenticate(headers.get(AUTHORIZATION));
      String scope = requiredScope(method);
      if (!principal.has(scope)) {
        throw new ScreeningException(Status.Code.PERMISSION_DENIED, "SCOPE_MISSING",
            method.getBareMethodName() + " needs scope '" + scope + "'");
      }
    } catch (ScreeningException e) {
      var sre = GrpcErrors.toStatus(e);
      call.close(sre.getStatus(), sre.getTrailers() == null ? new Metadata() : sre.getTrailers());
      return new ServerCall.Listener<>() {};
    }
    // Caller.PRINCIPAL carries the name for code that only names the caller (the audit log).
    Context context = Context.current().withValue(Principal.CONTEXT_KEY, principal)
        .withValue(Caller.PRINCIPAL, principal.name());
    return Contexts.interceptCall(context, call, headers, next);
  }

  private Principal authenticate(String value) {
    if (value == null || !value.regionMatches(true, 0, "Bearer ", 0, 7) || value.substring(7).isBlank()) {
      throw new ScreeningException(Status.Code.UNAUTHENTICATED, "TOKEN_MISSING",
          "a bearer token is required: authorization: Bearer <token>");
    }
    String token = value.substring(7).strip();
    // Digests have a fixed length, so the comparison time says nothing about the token.
    if (staticDigest != null && MessageDigest.isEqual(staticDigest, sha256(token))) {
      return staticPrincipal;
    }
    if (jwt != null && token.chars().filter(c -> c == '.').count() == 2) {
      return jwt.verify(token);
    }
    throw new ScreeningException(Status.Code.UNAUTHENTICATED, "TOKEN_INVALID", "the bearer token is not valid here");
  }

  /** {@value Principal#SCREEN_BATCH} for streams, {@value Principal#SCREEN} for unary calls. */
  static String requiredScope(MethodDescriptor<?, ?> method) {
    return method.getType() == MethodDescriptor.MethodType.UNARY ? Principal.SCREEN : Principal.SCREEN_BATCH;
  }

  private static boolean isOpen(String service) {
    return service != null && (service.startsWith("grpc.health.") || service.startsWith("grpc.reflection."));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
