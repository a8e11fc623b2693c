package io.screenmesh.text.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MatchStartsTest {

  @Test
  void leadingWordsAreReadOffNestedGroupsAndOptionalLastLetters() {
    Pattern p = Pattern.compile("\\b(?:ignore|(?:an?|the)\\s+ai|gpt-?\\d)\\b|jailbr\\w*");
    assertArrayEquals(new String[] {"ignore", "a", "the", "gpt", "jailbr"}, MatchStarts.of(p).words());
  }

  @Test
  void escapedPunctuationAndNonAsciiCharactersAreLiterals() {
    Pattern p = Pattern.compile("\uD83D\uDD13|\\[(?:x\\s*)?dan\\]|<\\|im_start\\|>|\\bnormal");
    assertArrayEquals(new String[] {"\uD83D\uDD13", "[", "<|im_start|>", "normal"}, MatchStarts.of(p).words());
    assertArrayEquals(new String[] {"[", "sys"}, MatchStarts.of(Pattern.compile("\\[/?inst\\]|\\bsys")).words());
  }

  @Test
  void patternsWithoutReadableLeadingWordsScanEveryOffset() {
    assertNull(MatchStarts.of(Pattern.compile("(?:that\\s+)?you")).words());
    assertNull(MatchStarts.of(Pattern.compile("\\sx|(?m:^#)")).words());
    assertNull(MatchStarts.of(Pattern.compile("(?i:dan)|x")).words());
    assertNull(MatchStarts.of(Pattern.compile("dan", Pattern.CASE_INSENSITIVE)).words());
  }

  @Test
  void findsTheSameMatchesAsFind() {
    // Lookbehind and \\b see the text before each tried offset, as they do under find().
    Pattern p = Pattern.compile("\\b(?:no|not)\\s+(?:bound\\s+by\\s+)?(?<=\\s)rules\\b");
    String text = "know no rules; not bound by rules, noted: no rules\nsnot rules, no  rules no rulesx";
    assertArrayEquals(new String[] {"no", "not"}, MatchStarts.of(p).words());
    List<String> expected = all(p.matcher(text));
    assertEquals(List.of("5-13", "15-33", "42-50", "63-72"), expected);
    assertEquals(expected, all(MatchStarts.of(p).finder(p, text)));
  }

  private static List<String> all(Matcher m) {
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.start() + "-" + m.end());
    }
    return out;
  }

  private static List<String> all(MatchStarts.Finder f) {
    List<String> out = new ArrayList<>();
    while (f.find()) {
      out.add(f.matcher().start() + "-" + f.matcher().end());
    }
    return out;
  }
}
