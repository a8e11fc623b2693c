package io.screenmesh.services.common.auth;

import io.grpc.Status;
import io.screenmesh.services.common.ScreeningException;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;

/**
 * Verifies bearer JWTs with SmallRye JWT: the signature against the keys at {@code keys} (a
 * JWKS or PEM public key, as a file path or an http(s) URL; a URL is fetched again every
 * {@code refresh}, and at once for an unknown {@code kid}, so keys rotate without a restart),
 * the issuer, the audience and the expiry (with {@code clockSkew} of grace). The principal is
 * the token's subject; its scopes are the space-separated {@code scope} claim (RFC 8693), or the
 * {@code scp} array some issuers send instead.
 *
 * <p>A token that verified is remembered, by its exact text, for {@link #REMEMBER} at most and
 * never past its expiry (plus the clock skew): a caller sends the same token with every call,
 * and checking its RSA or ECDSA signature each time was about a quarter of the front door's
 * CPU per call. A key withdrawn from the JWKS therefore stops its tokens within that time, not
 * at once. Tokens that fail are not remembered; at {@link #MAX_REMEMBERED} tokens the memory
 * starts over.
 */
public final class JwtVerifier {

  /** How long a verified token is taken without checking its signature again. */
  public static final Duration REMEMBER = Duration.ofSeconds(60);
  /** The most tokens remembered at once. */
  static final int MAX_REMEMBERED = 4096;

  private final DefaultJWTParser parser;
  private final long skewMillis;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();
  private final LongAdder signatureChecks = new LongAdder();

  /** A token that verified: its principal, and until when (epoch millis) that stands. */
  private record Verified(Principal principal, long expiresAt, long until) {}

  /**
   * Creates a verifier.
   *
   * @param keys where the verification keys are: a file path or URL of a JWKS or PEM key
   * @param issuer the required {@code iss}
   * @param audiences accepted {@code aud} values; one must be in the token
   * @param clockSkew grace on {@code exp} and {@code iat}
   * @param refresh how often a JWKS URL is fetched again
   * @param algorithm the signature algorithm tokens must use (RS256, ES256, PS256, ...)
   * @throws IllegalArgumentException when the issuer or the audiences are empty, or the
   *     algorithm is not an asymmetric JWS algorithm
   */
  public JwtVerifier(String keys, String issuer, List<String> audiences, Duration clockSkew, Duration refresh,
      SignatureAlgorithm algorithm) {
    this(keys, issuer, audiences, clockSkew, refresh, algorithm, System::currentTimeMillis);
  }

  /** As above, with {@code clock} (epoch millis) for the remembered tokens' expiry. */
  JwtVerifier(String keys, String issuer, List<String> audiences, Duration clockSkew, Duration refresh,
      SignatureAlgorithm algorithm, LongSupplier clock) {
    this.skewMillis = clockSkew.toMillis();
    this.clock = clock;
    if (algorithm.getAlgorithm().startsWith("HS")) {
      throw new IllegalArgumentException("screenmesh.auth.jwt.algorithm " + algorithm + ": a shared secret would let every verifier mint tokens");
    }
    if (issuer == null || issuer.isBlank()) {
      throw new IllegalArgumentException("screenmesh.auth.jwt.issuer is required with screenmesh.auth.jwt.keys");
    }
    if (audiences.isEmpty()) {
      throw new IllegalArgumentException("screenmesh.auth.jwt.audience is required with screenmesh.auth.jwt.keys");
    }
    JWTAuthContextInfo info = new JWTAuthContextInfo(location(keys), issuer);
    info.setExpectedAudience(new LinkedHashSet<>(audiences));
    info.setExpGracePeriodSecs((int) clockSkew.toSeconds());
    info.setJwksRefreshInterval((int) Math.max(1, refresh.toMinutes()));
    // One asymmetric algorithm (a shared secret would let every verifier mint tokens): SmallRye
    // reads a PEM key as the type of the first algorithm it is given, so a set in random order
    // would fail to load an RSA key now and then.
    info.setSignatureAlgorithm(Set.of(algorithm));
    this.parser = new DefaultJWTParser(info);
  }

  private static String location(String keys) {
    return keys.contains(":") && !keys.startsWith("/") ? keys : "file:" + keys;
  }

  /**
   * The principal of {@code token}.
   *
   * @throws ScreeningException UNAUTHENTICATED with reason TOKEN_EXPIRED, TOKEN_AUDIENCE,
   *     TOKEN_ISSUER or TOKEN_INVALID (bad signature, unknown key, malformed)
   */
  public Principal verify(String token) {
    long now = clock.getAsLong();
    Verified known = verified.get(token);
    if (known != null) {
      if (now <= known.until()) {
        return known.principal();
      }
      verified.remove(token, known);
      if (now > known.expiresAt()) {
        throw new ScreeningException(Status.Code.UNAUTHENTICATED, "TOKEN_EXPIRED", "the bearer token has expired");
      }
    }
    JsonWebToken jwt;
    signatureChecks.increment();
    try {
      jwt = parser.parse(token);
    } catch (ParseException e) {
      throw refusal(e);
    }
    Principal principal = principalOf(jwt);
    // exp is required by the parser; a token without one is not remembered.
    long exp = jwt.getExpirationTime() > 0 ? jwt.getExpirationTime() * 1000 + skewMillis : now;
    long until = Math.min(exp, now + REMEMBER.toMillis());
    if (until > now) {
      if (verified.size() >= MAX_REMEMBERED) {
        verified.clear();
      }
      verified.put(token, new Verified(principal, exp, until));
    }
    return principal;
  }

  /** How many times a token's signature and claims were checked (not taken from memory). */
  long signatureChecks() {
    return signatureChecks.sum();
  }

  private static Principal principalOf(JsonWebToken jwt) {
    Set<String> scopes = new LinkedHashSet<>();
    Object scope = jwt.getClaim("scope");
    if (scope != null) {
      String s = scope instanceof jakarta.json.JsonString js ? js.getString() : scope.toString();
      scopes.addAll(Arrays.asList(s.strip().split("\\s+")));
    }
    Object scp = jwt.getClaim("scp");
    if (scp instanceof jakarta.json.JsonArray a) {
      a.getValuesAs(jakarta.json.JsonString.class).forEach(v -> scopes.add(v.getString()));
    }
    scopes.remove("");
    return new Principal(jwt.getName(), scopes);
  }

  private static ScreeningException refusal(ParseException e) {
    InvalidJwtException invalid = null;
    for (Throwable c = e; c != null && invalid == null; c = c.getCause()) {
      if (c instanceof InvalidJwtException i) {
        invalid = i;
      }
    }
    String reason = "TOKEN_INVALID";
    String message = "the bearer token is not valid here";
    if (invalid != null && invalid.hasExpired()) {
      reason = "TOKEN_EXPIRED";
      message = "the bearer token has expired";
    } else if (invalid != null && invalid.hasErrorCode(ErrorCodes.AUDIENCE_INVALID)) {
      reason = "TOKEN_AUDIENCE";
      message = "the bearer token is for another audience";
    } else if (invalid != null && invalid.hasErrorCode(ErrorCodes.ISSUER_INVALID)) {
      reason = "TOKEN_ISSUER";
      message = "the bearer token is from an issuer this service does not trust";
    }
    return new ScreeningException(Status.Code.UNAUTHENTICATED, reason, message);
  }
}
