package io.screenmesh.text.unicode;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UScript;
import com.ibm.icu.text.SpoofChecker;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.text.screen.Hit;
import io.screenmesh.text.screen.MappedText;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds words disguised with look-alike characters from other scripts (homoglyphs) and
 * rewrites them to the ASCII letters they imitate, using ICU's {@link SpoofChecker}: a word
 * that fails the HIGHLY_RESTRICTIVE restriction level (such as Latin mixed with Cyrillic) is
 * reported, and each of its characters whose confusable skeleton is one ASCII letter is
 * replaced. Words in one script (Russian, Greek, Japanese) are left alone.
 *
 * <p>Thread-safe: the checker's test functions are, and the per-character cache tolerates
 * benign races (every thread computes the same value).
 */
public final class Confusables {

  /** Detector id of mixed-script words. */
  public static final String DETECTOR = "text.unicode.confusable";

  private static final int MAX_HITS = 32;
  private static final int UNKNOWN = 0;
  private static final int NONE = -1;

  private final SpoofChecker checker;
  private final Map<String, String> asciiBySkeleton;
  // BMP lookups dominate; an array beats a map on the hot path. 0 = not computed yet.
  private final int[] bmpCache = new int[0x10000];
  private final Map<Integer, Integer> astralCache = new ConcurrentHashMap<>();

  /** Builds the checker and the skeleton table once; share the instance. */
  public Confusables() {
    this.checker = new SpoofChecker.Builder()
        .setChecks(SpoofChecker.RESTRICTION_LEVEL)
        .setRestrictionLevel(SpoofChecker.RestrictionLevel.HIGHLY_RESTRICTIVE)
        .build();
    Map<String, String> table = new HashMap<>();
    for (char c = '0'; c <= 'z'; c++) {
      if (Character.isLetterOrDigit(c)) {
        table.merge(checker.getSkeleton(String.valueOf(c)), String.valueOf(c), String::concat);
      }
    }
    this.asciiBySkeleton = Map.copyOf(table);
  }

  /** Whether ICU's restriction-level check rejects {@code word} (mixed scripts). */
  public boolean isMixedScript(String word) {
    return checker.failsChecks(word);
  }

  /**
   * Rewrites disguised words of {@code in} and reports the mixed-script ones in {@code hits}
   * (spans in the original text of {@code in}).
   */
  public MappedText deconfuse(MappedText in, List<Hit> hits) {
    String s = in.text();
    if (isAscii(s)) {
      return in;
    }
    MappedText.Builder b = new MappedText.Builder(in.originalLength());
    int n = s.length();
    int reported = 0;
    int i = 0;
    while (i < n) {
      int cp = s.codePointAt(i);
      if (!isWordPart(cp)) {
        b.appendCodePoint(cp, in.originalStart(i), in.originalEnd(i + Character.charCount(cp)));
        i += Character.charCount(cp);
        continue;
      }
      int ws = i;
      boolean nonAscii = false;
      boolean asciiLetter = false;
      while (i < n) {
        int c = s.codePointAt(i);
        if (!isWordPart(c)) {
          break;
        }
        nonAscii |= c >= 0x80;
        asciiLetter |= c < 0x80 && Character.isLetter(c);
        i += Character.charCount(c);
      }
      int we = i;
      if (!nonAscii) {
        copy(s, ws, we, in, b);
        continue;
      }
      String word = s.substring(ws, we);
      boolean mixed = checker.failsChecks(word);
      if (!mixed && !asciiLetter) {
        copy(s, ws, we, in, b);
        continue;
      }
      int replaced = 0;
      boolean allAscii = true;
      int prev = -1;
      StringBuilder readsAs = new StringBuilder(word.length());
      for (int j = ws; j < we; ) {
        int c = s.codePointAt(j);
        int len = Character.charCount(c);
        int from = in.originalStart(j);
        int to = in.originalEnd(j + len);
        if (c < 0x80) {
          b.appendCodePoint(c, from, to);
          readsAs.appendCodePoint(c);
        } else if (UCharacter.getType(c) == UCharacter.NON_SPACING_MARK && prev >= 0 && prev < 0x80) {
          // Marks stacked on ASCII letters (zalgo text) only hide the word from matchers.
          replaced++;
        } else {
          int m = lookup(c);
          if (m >= 0) {
            b.appendCodePoint(m, from, to);
            readsAs.append((char) m);
            replaced++;
            c = m;
          } else {
            b.appendCodePoint(c, from, to);
            readsAs.appendCodePoint(c);
            allAscii = false;
          }
        }
        prev = c;
        j += len;
      }
      if (mixed && reported < MAX_HITS) {
        reported++;
        boolean disguised = replaced > 0 && allAscii;
        hits.add(new Hit(DETECTOR, Category.CATEGORY_UNICODE_CONFUSABLE,
            disguised ? Severity.SEVERITY_MEDIUM : Severity.SEVERITY_LOW,
            disguised ? 0.6f : 0.3f,
            in.originalStart(ws), in.originalEnd(we), "",
            Hit.excerptOf(word + " → " + readsAs),
            "word mixes scripts (" + String.join(", ", scripts(word)) + ")"
                + (disguised ? " and reads as \"" + Hit.excerptOf(readsAs) + "\"" : "")));
      }
    }
    return b.build();
  }

  /** The ASCII letter or digit that {@code cp} imitates, or -1. */
  int lookup(int cp) {
    if (cp < 0x10000) {
      int v = bmpCache[cp];
      if (v == UNKNOWN) {
        v = compute(cp);
        bmpCache[cp] = v;
      }
      return v == NONE ? -1 : v - 1;
    }
    int v = astralCache.computeIfAbsent(cp, this::compute);
    return v == NONE ? -1 : v - 1;
  }

  // Stored shifted by one so that 0 can mean "not computed".
  private int compute(int cp) {
    String sk = checker.getSkeleton(new String(Character.toChars(cp)));
    if (sk.length() != 1 || sk.charAt(0) >= 0x80) {
      return NONE;
    }
    String candidates = asciiBySkeleton.get(sk);
    if (candidates == null) {
      return Character.isLetterOrDigit(sk.charAt(0)) ? sk.charAt(0) + 1 : NONE;
    }
    boolean upper = UCharacter.isUUppercase(cp);
    boolean lower = UCharacter.isULowercase(cp);
    char best = 0;
    for (int k = 0; k < candidates.length(); k++) {
      char c = candidates.charAt(k);
      if ((upper && Character.isUpperCase(c)) || (lower && Character.isLowerCase(c))) {
        return c + 1;
      }
      if (best == 0 && Character.isLetter(c)) {
        best = c;
      }
    }
    return (best != 0 ? best : candidates.charAt(0)) + 1;
  }

  private static void copy(String s, int from, int to, MappedText in, MappedText.Builder b) {
    for (int j = from; j < to; ) {
      int c = s.codePointAt(j);
      int len = Character.charCount(c);
      b.appendCodePoint(c, in.originalStart(j), in.originalEnd(j + len));
      j += len;
    }
  }

  private static Set<String> scripts(String word) {
    Set<String> names = new LinkedHashSet<>();
    word.codePoints().forEach(c -> {
      int sc = UScript.getScript(c);
      if (sc != UScript.COMMON && sc != UScript.INHERITED) {
        names.add(UScript.getName(sc));
      }
    });
    return names;
  }

  private static boolean isWordPart(int cp) {
    if (cp < 0x80) {
      return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    }
    int t = UCharacter.getType(cp);
    return UCharacter.isLetter(cp) || t == UCharacter.DECIMAL_DIGIT_NUMBER
        || t == UCharacter.NON_SPACING_MARK || t == UCharacter.COMBINING_SPACING_MARK
        || t == UCharacter.ENCLOSING_MARK;
  }

  static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
