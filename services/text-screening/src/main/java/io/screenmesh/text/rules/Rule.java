package io.screenmesh.text.rules;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One precompiled rule over normalized text. A match scores {@code severity}/{@code score};
 * when an {@code upgrade} pattern is given and is found in the match (or, with
 * {@code upgradeInWholeText}, anywhere in the text) it scores {@code upgradedSeverity} /
 * {@code upgradedScore} instead: a weak phrase becomes strong in the right company.
 *
 * <p>Patterns are written in lower case and run on the ASCII-lower-cased text (case-insensitive
 * matching is several times slower), except when {@code caseSensitive} is set, in which case
 * they run on the text as written. A rule runs only when one of its {@code anchors} (lower-case
 * literals, one of which every match must contain) occurs in the text: most texts trigger
 * no rule at all, and the anchors find that out with a few {@code indexOf} calls.
 *
 * @param detector the detector id reported
 * @param category the risk category
 * @param pattern what to find; bounded quantifiers only, so a scan is linear in the text
 * @param anchors lower-case literals of which every match contains at least one
 * @param caseSensitive whether the pattern runs on the text as written instead of lower-cased
 * @param severity severity of a plain match
 * @param score score of a plain match
 * @param upgrade what turns a plain match into a strong one (on the lower-cased text), or null
 * @param upgradeInWholeText whether {@code upgrade} is looked for in the whole text
 * @param upgradedSeverity severity of a strong match
 * @param upgradedScore score of a strong match
 * @param message a sentence for a human reader
 */
public record Rule(String detector, Category category, Pattern pattern, String[] anchors, boolean caseSensitive,
    Severity severity, float score, Pattern upgrade, boolean upgradeInWholeText, Severity upgradedSeverity,
    float upgradedScore, String message) {

  /** A rule without an upgrade that runs when one of {@code anchors} occurs. */
  public static Rule of(String detector, Category category, Severity severity, float score, String[] anchors,
      String regex, String message) {
    return new Rule(detector, category, Pattern.compile(factorWordBoundary(regex)), anchors, false, severity,
        score, null, false, severity, score, message);
  }

  /**
   * {@code \bA|\bB|\bC} rewritten as {@code \b(?:A|B|C)}: the same language, but a position inside a
   * word fails one boundary test instead of one per alternative, which makes a scan several times
   * faster. Other patterns are returned unchanged.
   */
  static String factorWordBoundary(String regex) {
    List<String> parts = new ArrayList<>();
    int from = 0;
    for (int bar = MatchStarts.topLevel(regex, 0, regex.length(), '|'); bar >= 0;
        bar = MatchStarts.topLevel(regex, from, regex.length(), '|')) {
      parts.add(regex.substring(from, bar));
      from = bar + 1;
    }
    parts.add(regex.substring(from));
    if (parts.size() < 2 || !parts.stream().allMatch(p -> p.startsWith("\\b"))) {
      return regex;
    }
    return "\\b(?:" + String.join("|", parts.stream().map(p -> p.substring(2)).toList()) + ")";
  }

  /** This rule, matching the text as written (for patterns where case carries meaning). */
  public Rule matchingCase() {
    return new Rule(detector, category, pattern, anchors, true, severity, score, upgrade, upgradeInWholeText,
        upgradedSeverity, upgradedScore, message);
  }

  /** This rule, upgraded when {@code regex} is found in the match. */
  public Rule upgradeInMatch(String regex, Severity to, float toScore) {
    return new Rule(detector, category, pattern, anchors, caseSensitive, severity, score, Pattern.compile(regex),
        false, to, toScore, message);
  }

  /** This rule, upgraded when {@code regex} is found anywhere in the text. */
  public Rule upgradeInText(String regex, Severity to, float toScore) {
    return new Rule(detector, category, pattern, anchors, caseSensitive, severity, score, Pattern.compile(regex),
        true, to, toScore, message);
  }

  /** Whether one of the anchors occurs in {@code lower} (or {@code original} for case-sensitive rules). */
  boolean mayMatch(String lower) {
    for (String a : anchors) {
      if (lower.indexOf(a) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** Anchors, as varargs. */
  static String[] any(String... anchors) {
    return anchors;
  }
}
