package io.screenmesh.text.screen;

import jakarta.inject.Singleton;

/**
 * {@code text.injection}: instruction override, role-play and jailbreak, system-prompt extraction
 * and exfiltration rules on the normalized text; overrides and extraction also in nine other
 * languages and with misspelt keywords.
 */
@Singleton
public class InjectionDetector extends StageDetector {

  /** The detector id. */
  public static final String ID = "text.injection";

  /** A detector over {@code analyzer}'s stage. */
  public InjectionDetector(TextAnalyzer analyzer) {
    super(ID, t -> analyzer.ruleHits(t.unicode()));
  }
}
