package io.screenmesh.services.common.auth;

import io.grpc.Context;
import java.util.Set;

/**
 * Who made a call and what it may do: the subject of its bearer token and the token's scopes.
 * {@link BearerTokenInterceptor} puts it in the call's gRPC {@link Context}; services read it
 * with {@link #current()} while still on the call's context (a handler's first line), because
 * later callbacks run elsewhere.
 *
 * <p>Scopes: {@value #SCREEN} for a unary screening call, {@value #SCREEN_BATCH} for a stream,
 * and {@code policy:<name>} for each policy that fails open (a policy that fails closed needs
 * no scope of its own).
 *
 * @param name the token's subject, or {@value #STATIC_TOKEN} for the development token
 * @param scopes the scopes the token grants
 */
public record Principal(String name, Set<String> scopes) {

  /** The scope of unary screening calls. */
  public static final String SCREEN = "screen";
  /** The scope of streaming (bulk) screening calls. */
  public static final String SCREEN_BATCH = "screen:batch";
  /** The prefix of the scope that lets a caller pick a fail-open policy by name. */
  public static final String POLICY_SCOPE_PREFIX = "policy:";
  /** The name of the principal of the static development token. */
  public static final String STATIC_TOKEN = "static-token";

  /**
   * The caller of a service that runs without authentication (tests, a front door deployed
   * without tokens on purpose): it may do everything, as every caller could before principals.
   */
  public static final Principal UNAUTHENTICATED = new Principal("anonymous", Set.of("*"));

  static final Context.Key<Principal> CONTEXT_KEY = Context.key("screenmesh.principal");

  /** Copies the scopes. */
  public Principal {
    scopes = Set.copyOf(scopes);
  }

  /** The caller of the current call, or {@link #UNAUTHENTICATED} when authentication is off. */
  public static Principal current() {
    Principal p = CONTEXT_KEY.get();
    return p == null ? UNAUTHENTICATED : p;
  }

  /** True when the principal holds {@code scope}. */
  public boolean has(String scope) {
    return scopes.contains(scope) || scopes.contains("*");
  }

  /** The scope that selects policy {@code name}. */
  public static String policyScope(String name) {
    return POLICY_SCOPE_PREFIX + name;
  }
}
