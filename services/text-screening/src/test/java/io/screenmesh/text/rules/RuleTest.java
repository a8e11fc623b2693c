package io.screenmesh.text.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RuleTest {

  @Test
  void wordBoundaryIsFactoredOutOfTopLevelAlternatives() {
    assertEquals("\\b(?:ab|c(?:d|\\be)|[|]x)", Rule.factorWordBoundary("\\bab|\\bc(?:d|\\be)|\\b[|]x"));
  }

  @Test
  void patternsWithAnAlternativeWithoutBoundaryAreUnchanged() {
    assertEquals("\\bab|cd", Rule.factorWordBoundary("\\bab|cd"));
    assertEquals("\\bab", Rule.factorWordBoundary("\\bab"));
    assertEquals("(\\ba|\\bb)", Rule.factorWordBoundary("(\\ba|\\bb)"));
  }
}
