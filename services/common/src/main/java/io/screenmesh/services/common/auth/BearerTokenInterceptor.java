package io.screenmesh.services.common.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.ScreeningException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Requires {@code authorization: Bearer <token>} on every screening call when
 * {@code screenmesh.auth.token-file} names a file holding the token (the launcher's
 * development token; a Kubernetes Secret in production). Health and reflection stay open so
 * probes and tooling work. Without the property the interceptor lets every call through:
 * the modality services are reached over mutual TLS only, and the front door is the one that
 * sets it.
 */
@ApplicationScoped
@GlobalInterceptor
public class BearerTokenInterceptor implements ServerInterceptor {

  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  /** The principal of a call that presented the static development token. */
  public static final String STATIC_TOKEN_PRINCIPAL = "static-token";
  private static final Logger LOG = Logger.getLogger(BearerTokenInterceptor.class);

  private final byte[] expectedDigest;

  /**
   * Reads the token once at start-up.
   *
   * @throws UncheckedIOException when the configured file cannot be read
   * @throws IllegalStateException when the file is empty
   */
  public BearerTokenInterceptor(@ConfigProperty(name = "screenmesh.auth.token-file") Optional<String> tokenFile) {
    if (tokenFile.isEmpty() || tokenFile.get().isBlank()) {
      expectedDigest = null;
      return;
    }
    try {
      String token = Files.readString(Path.of(tokenFile.get()), StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new IllegalStateException("screenmesh.auth.token-file " + tokenFile.get() + " is empty");
      }
      expectedDigest = sha256(token);
      LOG.info("bearer-token authentication enabled");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read screenmesh.auth.token-file " + tokenFile.get(), e);
    }
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    if (expectedDigest == null || isOpen(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
    String value = headers.get(AUTHORIZATION);
    String reason = null;
    if (value == null || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      reason = "TOKEN_MISSING";
    } else if (!MessageDigest.isEqual(expectedDigest, sha256(value.substring(7).strip()))) {
      // Digests have a fixed length, so the comparison time says nothing about the token.
      reason = "TOKEN_INVALID";
    }
    if (reason == null) {
      // One shared token names no one in particular: audit records say which mechanism let the call in.
      return Contexts.interceptCall(Context.current().withValue(Caller.PRINCIPAL, STATIC_TOKEN_PRINCIPAL),
          call, headers, next);
    }
    var sre = GrpcErrors.toStatus(new ScreeningException(Status.Code.UNAUTHENTICATED, reason,
        "a bearer token is required: authorization: Bearer <token>"));
    call.close(sre.getStatus(), sre.getTrailers() == null ? new Metadata() : sre.getTrailers());
    return new ServerCall.Listener<>() {};
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
