package io.screenmesh.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptsTest {

  @Test
  void cutNeverSplitsASurrogatePair() {
    String s = "ab\uD83D\uDE00cd"; // a, b, U+1F600, c, d
    assertEquals("ab", Prompts.cut(s, 3));
    assertEquals("ab\uD83D\uDE00", Prompts.cut(s, 4));
    assertEquals(s, Prompts.cut(s, 100));
  }

  @Test
  void generatedPromptsStayWithinTheBoundAndAreDeterministic() {
    List<String> a = Prompts.generated(200, 2000, 0, 7);
    assertEquals(a, Prompts.generated(200, 2000, 0, 7));
    assertTrue(a.stream().allMatch(p -> p.length() >= 20 && p.length() <= 2000));
    assertTrue(a.stream().anyMatch(p -> p.length() > 1500), "lengths should spread up to the bound");
    assertTrue(Prompts.generated(10, 2000, 2000, 1).stream().allMatch(p -> p.length() == 2000));
    assertTrue(Prompts.generated(10, 300, 2000, 1).stream().allMatch(p -> p.length() == 300));
  }

  @Test
  void jsonlTextFieldsAreReadAndCut(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("p.jsonl");
    Files.writeString(f, """
        {"text": "short one", "label": 0}

        {"id": "no text here"}
        {"text": "%s", "label": 1}
        """.formatted("x".repeat(50)));
    assertEquals(List.of("short one", "x".repeat(10)), Prompts.fromJsonl(f, 10));
  }

  @Test
  void jsonlWithoutTextOrWithBrokenLinesIsRefused(@TempDir Path dir) throws IOException {
    Path none = dir.resolve("none.jsonl");
    Files.writeString(none, "{\"id\": 1}\n");
    assertThrows(IllegalArgumentException.class, () -> Prompts.fromJsonl(none, 2000));
    Path broken = dir.resolve("broken.jsonl");
    Files.writeString(broken, "{\"text\": \"fine\"}\n{not json\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Prompts.fromJsonl(broken, 2000));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }
}
