package io.screenmesh.text.suffix;

import java.util.List;
import java.util.Random;

/**
 * Generates token soup in the manner of optimized adversarial suffixes (GCG and its kin): sub-word
 * pieces, instruction words and punctuation clusters such as {@code ](} and {@code {[}, strung
 * together with and without spaces, in odd capitalisation. Deterministic for a seed.
 */
public final class TokenSoup {

  private static final List<String> WORDS = List.of("sure", "here", "now", "write", "tutorial", "describing",
      "similarly", "opposite", "please", "revert", "with", "format", "manual", "sentence", "inverse", "kindly",
      "step", "answer", "begin", "steps", "Bob", "Sure", "Here", "Now", "Format", "Title", "respond", "ahead");
  private static final List<String> PUNCT = List.of("](", "{[", "}}", "))", "\\", "--", "**", ";)", "!!", "==>",
      "??", "\"+", "'{", "]]", "([", "/{", ".]", "!(", "}]", "<!", ":)", "^^", "\\!", ".(", ",[", "|", "%", "@");

  private final Random random;

  /** A generator seeded with {@code seed}. */
  public TokenSoup(long seed) {
    this.random = new Random(seed);
  }

  /** A suffix of {@code pieces} pieces. */
  public String next(int pieces) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < pieces; i++) {
      double x = random.nextDouble();
      if (x < 0.35) {
        sb.append(WORDS.get(random.nextInt(WORDS.size())));
      } else if (x < 0.65) {
        sb.append(PUNCT.get(random.nextInt(PUNCT.size())));
      } else {
        StringBuilder w = new StringBuilder();
        int n = 2 + random.nextInt(6);
        for (int j = 0; j < n; j++) {
          w.append((char) ('a' + random.nextInt(26)));
        }
        String s = w.toString();
        double c = random.nextDouble();
        sb.append(c < 0.15 ? s.toUpperCase(java.util.Locale.ROOT) : c < 0.45 ? Character.toUpperCase(s.charAt(0))
            + s.substring(1) : s);
      }
      if (random.nextDouble() < 0.6) {
        sb.append(' ');
      }
    }
    return sb.toString().strip();
  }
}
