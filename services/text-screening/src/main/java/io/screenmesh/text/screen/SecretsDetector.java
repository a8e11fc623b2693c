package io.screenmesh.text.screen;

import jakarta.inject.Singleton;

/**
 * {@code text.secrets}: credentials (key formats, tokens, private keys) and personal data (Luhn-
 * checked cards, IBANs, e-mail, phone) on the normalized text; the engine redacts them in the
 * sanitized text.
 */
@Singleton
public class SecretsDetector extends StageDetector {

  /** The detector id. */
  public static final String ID = "text.secrets";

  /** A detector over {@code analyzer}'s stage. */
  public SecretsDetector(TextAnalyzer analyzer) {
    super(ID, t -> analyzer.secretHits(t.unicode()));
  }
}
