package io.screenmesh.services.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.screenmesh.services.common.ScreeningException;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verified tokens are remembered: once checked, within their expiry, for a minute at most. */
class JwtVerifierTest {

  private static final String ISSUER = "https://issuer.test";
  private static final Duration SKEW = Duration.ofSeconds(5);
  private static RsaJsonWebKey key;

  @TempDir Path dir;
  private final AtomicLong now = new AtomicLong(System.currentTimeMillis());
  private JwtVerifier verifier;

  @BeforeAll
  static void key() throws JoseException {
    key = RsaJwkGenerator.generateJwk(2048);
    key.setKeyId("k1");
  }

  @BeforeEach
  void verifier() throws Exception {
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, new JsonWebKeySet(key).toJson());
    verifier = new JwtVerifier(jwks.toString(), ISSUER, List.of("screenmesh"), SKEW, Duration.ofMinutes(10),
        SignatureAlgorithm.RS256, now::get);
  }

  private static String jwt(String subject, long expiresInSeconds) throws JoseException {
    JwtClaims c = new JwtClaims();
    c.setIssuer(ISSUER);
    c.setAudience("screenmesh");
    c.setSubject(subject);
    c.setIssuedAtToNow();
    NumericDate exp = NumericDate.now();
    exp.addSeconds(expiresInSeconds);
    c.setExpirationTime(exp);
    c.setGeneratedJwtId();
    c.setClaim("scope", "screen screen:batch");
    return TestJwts.sign(key, c);
  }

  @Test
  void aTokenSentAgainIsNotCheckedAgainAndKeepsItsPrincipal() throws Exception {
    String a = jwt("pipeline-7", 3600);
    Principal first = verifier.verify(a);
    Principal again = verifier.verify(a);
    assertEquals("pipeline-7", again.name());
    assertEquals(Set.of("screen", "screen:batch"), again.scopes());
    assertEquals(first, again);
    assertEquals(1, verifier.signatureChecks());
    // Another token of the same subject is its own entry: checked once more.
    verifier.verify(jwt("pipeline-7", 3600));
    assertEquals(2, verifier.signatureChecks());
  }

  @Test
  void aRememberedTokenIsRefusedOnceItHasExpired() throws Exception {
    String a = jwt("pipeline-7", 30);
    verifier.verify(a);
    now.addAndGet(Duration.ofSeconds(30).plus(SKEW).plusSeconds(2).toMillis());
    ScreeningException e = assertThrows(ScreeningException.class, () -> verifier.verify(a));
    assertEquals("TOKEN_EXPIRED", e.reason());
    assertEquals(1, verifier.signatureChecks());
  }

  @Test
  void aRememberedTokenIsCheckedAgainAfterAMinute() throws Exception {
    String a = jwt("pipeline-7", 3600);
    verifier.verify(a);
    now.addAndGet(JwtVerifier.REMEMBER.toMillis() - 1);
    verifier.verify(a);
    assertEquals(1, verifier.signatureChecks());
    now.addAndGet(2);
    verifier.verify(a);
    assertEquals(2, verifier.signatureChecks());
  }

  @Test
  void aRefusedTokenIsNotRememberedAndATamperedOneIsNotTakenForIt() throws Exception {
    String expired = jwt("pipeline-7", -60);
    assertEquals("TOKEN_EXPIRED", assertThrows(ScreeningException.class, () -> verifier.verify(expired)).reason());
    assertEquals("TOKEN_EXPIRED", assertThrows(ScreeningException.class, () -> verifier.verify(expired)).reason());
    assertEquals(2, verifier.signatureChecks());

    String good = jwt("pipeline-7", 3600);
    verifier.verify(good);
    String[] parts = good.split("\\.");
    // The same header and signature over another payload: a new text, so it is checked, and fails.
    String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("{\"iss\":\"" + ISSUER + "\",\"aud\":\"screenmesh\",\"sub\":\"admin\",\"exp\":9999999999}").getBytes())
        + "." + parts[2];
    assertEquals("TOKEN_INVALID", assertThrows(ScreeningException.class, () -> verifier.verify(forged)).reason());
  }
}
