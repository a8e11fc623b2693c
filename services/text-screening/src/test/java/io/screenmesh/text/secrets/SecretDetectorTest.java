package io.screenmesh.text.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.text.screen.Hit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretDetectorTest {

  private static final SecretDetector SECRETS = new SecretDetector();

  private static List<String> detectors(String text) {
    return SECRETS.scan(text).stream().map(Hit::detector).toList();
  }

  @Test
  void luhnValidCardIsFoundAndInvalidIsNot() {
    List<Hit> hits = SECRETS.scan("pay with 4111 1111 1111 1111 today");
    assertEquals(1, hits.size());
    assertEquals("text.pii.card", hits.getFirst().detector());
    assertEquals(9, hits.getFirst().start());
    assertEquals(28, hits.getFirst().end());
    assertFalse(hits.getFirst().excerpt().contains("4111 1111"), "excerpt must not carry the number");
    assertEquals(List.of(), detectors("pay with 4111 1111 1111 1112 today"));
    assertEquals(List.of("text.pii.card"), detectors("card 5555-5555-5555-4444"));
    assertEquals(List.of(), detectors("order 0000 0000 0000 0000"));
    assertTrue(SecretDetector.luhn("79927398713"));
    assertFalse(SecretDetector.luhn("79927398710"));
  }

  @Test
  void ibanChecksumDecides() {
    List<Hit> hits = SECRETS.scan("IBAN: GB82 WEST 1234 5698 7654 32 THANKS");
    assertEquals(List.of("text.pii.iban"), hits.stream().map(Hit::detector).toList());
    assertEquals("IBAN: GB82 WEST 1234 5698 7654 32".length(), hits.getFirst().end());
    assertEquals(List.of(), detectors("IBAN: GB82 WEST 1234 5698 7654 33"));
    assertTrue(SecretDetector.validIban("DE89370400440532013000"));
    assertFalse(SecretDetector.validIban("DE89370400440532013001"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "key AKIAIOSFODNN7EXAMPLE here|text.secret.aws-access-key",
      "token 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|text.secret.github-token",
      "slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx|text.secret.slack-token",
      "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc|text.secret.stripe-key",
      "google AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe|text.secret.google-api-key",
      "openai sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD|text.secret.openai-key",
      "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U|text.secret.jwt",
      "mail me at jane.doe@example.org please|text.pii.email",
      "call +44 20 7946 0958 tomorrow|text.pii.phone",
      "call (555) 123-4567 tomorrow|text.pii.phone",
  })
  void knownFormatsAreFound(String text, String detector) {
    assertEquals(List.of(detector), detectors(text));
  }

  @Test
  void privateKeyBlockIsFoundWhole() {
    String pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
        + "-----END RSA PRIVATE KEY-----";
    List<Hit> hits = SECRETS.scan("my key:\n" + pem + "\nthanks");
    assertEquals(1, hits.size());
    assertEquals(8, hits.getFirst().start());
    assertEquals(8 + pem.length(), hits.getFirst().end());
    assertEquals("[REDACTED:PRIVATE_KEY]", SecretDetector.redactionLabel(hits.getFirst().detector()));
  }

  @Test
  void ordinaryNumbersAreNotPersonalData() {
    assertEquals(List.of(), detectors("The year 2024 had 366 days; pi is 3.14159265358979 and version 1.2.3.4"));
    assertEquals(List.of(), detectors("Order #123456789 shipped on 2024-05-01"));
  }
}
