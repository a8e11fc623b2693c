package io.screenmesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.contract.AuditChain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditTest {

  @TempDir
  Path dir;

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  private int verify(String... args) throws IOException {
    List<String> a = new ArrayList<>(List.of("audit", "verify"));
    a.addAll(List.of(args));
    return Main.run(a.toArray(String[]::new), new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  private Path log(int records) throws IOException {
    List<String> lines = new ArrayList<>();
    String prev = AuditChain.GENESIS;
    for (int i = 1; i <= records; i++) {
      AuditChain.Sealed s = AuditChain.seal(i, prev, "\"decision\":\"DECISION_ALLOW\"");
      lines.add(s.line());
      prev = s.hash();
    }
    Path f = dir.resolve("audit.jsonl");
    Files.write(f, lines);
    return f;
  }

  @Test
  void aWholeChainInADirectoryExitsZero() throws IOException {
    log(3);
    assertEquals(0, verify(dir.toString()));
    assertTrue(printed.toString().startsWith("OK: 3 records in 1 file(s)"), printed.toString());
  }

  @Test
  void anEditedRecordExitsOneAndIsNamed() throws IOException {
    Path f = log(3);
    Files.writeString(f, Files.readString(f).replaceFirst("DECISION_ALLOW", "DECISION_BLOCK"));
    assertEquals(1, verify(f.toString()));
    assertTrue(printed.toString().contains("BROKEN " + f + ":1 (seq 1): edited"), printed.toString());
  }

  @Test
  void aMissingPathIsAUsageError() {
    assertThrows(IllegalArgumentException.class, () -> verify(dir.resolve("nope").toString()));
    assertThrows(IllegalArgumentException.class, () -> Main.run(new String[] {"audit"}, System.out));
  }
}
