package io.screenmesh.text.rules;

import static io.screenmesh.common.v1.Category.CATEGORY_PROMPT_INJECTION;
import static io.screenmesh.common.v1.Category.CATEGORY_SYSTEM_PROMPT_EXTRACTION;
import static io.screenmesh.common.v1.Severity.SEVERITY_HIGH;
import static io.screenmesh.common.v1.Severity.SEVERITY_LOW;

import io.screenmesh.text.screen.Hit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Instruction overrides and system-prompt extraction written with typos ("Ignroe evrything you
 * were told before"): words are matched to the keywords of those phrasings by edit distance
 * (optimal string alignment: insertions, deletions, substitutions and adjacent swaps), one edit
 * for keywords of five to seven letters, two from eight. A phrase counts only when at least one
 * of its words is misspelt: correctly spelt phrasings are the exact rules' to judge, and this
 * scan must not widen them. Real inflections of the verbs ("forgot", "ignored") are words, not
 * typos, and are left out. Cost is linear in the text (a banded comparison per word and keyword).
 * Thread-safe.
 */
final class FuzzyOverride {

  private static final String[] OVERRIDE_VERBS = {"ignore", "disregard", "forget", "override", "bypass", "discard"};
  // What an override drops; at least two of them (or one and a misspelt verb: LOW) near the verb.
  private static final String[] OVERRIDE_OBJECTS = {"instructions", "instruction", "everything", "previous", "prior",
      "above", "before", "earlier", "rules", "guidelines", "told", "prompt", "directions", "directives", "commands",
      "all", "said", "given"};
  private static final String[] EXTRACT_VERBS = {"reveal", "repeat", "print", "show", "display", "output", "disclose",
      "tell", "give", "share", "dump", "leak", "write"};
  private static final String[] EXTRACT_QUALIFIERS = {"system", "initial", "original", "hidden", "secret"};
  private static final String[] EXTRACT_OBJECTS = {"prompt", "instructions", "message"};
  private static final Set<String> WORDS = Set.of("forgot", "forgets", "forgotten", "ignored", "ignores", "ignoring",
      "ignorant", "bypassed", "bypasses", "overrode", "overridden", "overrides", "discards", "discarded",
      "everythings", "instructor", "instructed", "rulers", "roles", "prion", "promo", "promote", "prompts", "system's",
      "shows", "shown", "showed", "revealed", "reveals", "repeats", "repeated", "prints", "printed", "printer",
      "tells", "told", "display", "displays", "displayed", "outputs", "messages", "messaged", "secrets", "secretly");
  private static final int WINDOW = 8;

  private FuzzyOverride() {}

  private record Word(int start, int end, String text) {}

  /** Adds the hits in {@code lower} (ASCII-lower-cased text) to {@code into}. */
  static void scan(String text, String lower, List<Hit> into) {
    List<Word> words = words(lower);
    for (int i = 0; i < words.size(); i++) {
      int verb = match(words.get(i).text(), OVERRIDE_VERBS);
      if (verb >= 0) {
        override(text, words, i, verb > 0, into);
      }
      int ex = match(words.get(i).text(), EXTRACT_VERBS);
      if (ex >= 0) {
        extraction(text, words, i, ex > 0, into);
      }
    }
  }

  private static void override(String text, List<Word> words, int at, boolean typo, List<Hit> into) {
    int objects = 0;
    int end = at;
    for (int j = at + 1; j < Math.min(words.size(), at + 1 + WINDOW); j++) {
      int d = match(words.get(j).text(), OVERRIDE_OBJECTS);
      if (d >= 0) {
        objects++;
        typo |= d > 0;
        end = j;
      }
    }
    if (!typo || objects == 0) {
      return;
    }
    boolean strong = objects >= 2;
    add(text, words.get(at).start(), words.get(end).end(), InjectionRules.OVERRIDE, CATEGORY_PROMPT_INJECTION,
        strong, "instruction override (misspelt): the text tells the model to drop its instructions", into);
  }

  private static void extraction(String text, List<Word> words, int at, boolean typo, List<Hit> into) {
    for (int j = at + 1; j + 1 < Math.min(words.size(), at + 1 + WINDOW); j++) {
      int q = match(words.get(j).text(), EXTRACT_QUALIFIERS);
      int o = q >= 0 ? match(words.get(j + 1).text(), EXTRACT_OBJECTS) : -1;
      if (o >= 0 && (typo || q > 0 || o > 0)) {
        add(text, words.get(at).start(), words.get(j + 1).end(), InjectionRules.EXTRACTION,
            CATEGORY_SYSTEM_PROMPT_EXTRACTION, true,
            "system-prompt extraction (misspelt): the text asks the model to reveal its instructions", into);
        return;
      }
    }
  }

  private static void add(String text, int s, int e, String detector, io.screenmesh.common.v1.Category category,
      boolean strong, String message, List<Hit> into) {
    into.add(new Hit(detector, category, strong ? SEVERITY_HIGH : SEVERITY_LOW, strong ? 0.85f : 0.3f, s, e, "",
        Hit.excerptOf(text.substring(s, e)), message));
  }

  /** The edit distance from {@code w} to the nearest of {@code keywords} within its allowance, or -1. */
  static int match(String w, String[] keywords) {
    int best = -1;
    for (String k : keywords) {
      // Lengths first: while fuzzing, each String.equals call is traced (its strings copied),
      // and a text has many words.
      if (w.length() == k.length() && w.equals(k)) {
        return 0;
      }
      int allowed = k.length() >= 8 ? 2 : k.length() >= 5 ? 1 : 0;
      if (allowed == 0 || Math.abs(w.length() - k.length()) > allowed || w.length() < 4 || WORDS.contains(w)) {
        continue;
      }
      int d = distance(w, k, allowed);
      if (d <= allowed && (best < 0 || d < best)) {
        best = d;
      }
    }
    return best;
  }

  /** Optimal string alignment distance of {@code a} and {@code b}, or {@code bound + 1} once it exceeds bound. */
  static int distance(String a, String b, int bound) {
    int n = a.length();
    int m = b.length();
    int[] prev2 = new int[m + 1];
    int[] prev = new int[m + 1];
    int[] cur = new int[m + 1];
    for (int j = 0; j <= m; j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= n; i++) {
      cur[0] = i;
      int rowMin = cur[0];
      for (int j = 1; j <= m; j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, prev2[j - 2] + 1);
        }
        cur[j] = v;
        rowMin = Math.min(rowMin, v);
      }
      if (rowMin > bound) {
        return bound + 1;
      }
      int[] t = prev2;
      prev2 = prev;
      prev = cur;
      cur = t;
    }
    return prev[m];
  }

  private static List<Word> words(String lower) {
    List<Word> out = new ArrayList<>();
    int n = lower.length();
    int i = 0;
    while (i < n) {
      char c = lower.charAt(i);
      if (c < 'a' || c > 'z') {
        i++;
        continue;
      }
      int s = i;
      while (i < n && ((lower.charAt(i) >= 'a' && lower.charAt(i) <= 'z') || lower.charAt(i) == '\'')) {
        i++;
      }
      out.add(new Word(s, i, lower.substring(s, i)));
    }
    return out;
  }
}
