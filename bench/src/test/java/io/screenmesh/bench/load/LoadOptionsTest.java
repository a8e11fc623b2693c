package io.screenmesh.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadOptionsTest {

  @Test
  void defaultsAreAPlaintextClosedLoopOnText() {
    LoadOptions o = LoadOptions.parse(List.of("--address", "localhost:9000"));
    assertEquals("text", o.target());
    assertEquals("closed", o.mode());
    assertEquals(4, o.concurrency());
    assertEquals(2000, o.maxChars());
    assertNull(o.ca());
    assertNull(o.token());
  }

  @Test
  void meshFileSuppliesAddressTlsAndToken(@TempDir Path dir) throws IOException {
    Path env = dir.resolve("mesh.env");
    Files.writeString(env, """
        # written by ./screenmesh up
        FRONT_DOOR=localhost:7001
        TEXT=localhost:7002
        CA=%s/ca.crt
        TOKEN=abc123
        """.formatted(dir));
    LoadOptions front = LoadOptions.parse(List.of("--mesh", env.toString(), "--target", "front"));
    assertEquals("localhost:7001", front.address());
    assertEquals("abc123", front.token());
    assertNull(front.cert(), "the front door takes any TLS client");
    LoadOptions text = LoadOptions.parse(List.of("--mesh", env.toString(), "--target", "text"));
    assertEquals("localhost:7002", text.address());
    assertEquals(dir.resolve("fusion-checker.crt").toString(), text.cert());
    assertEquals(dir.resolve("fusion-checker.key").toString(), text.key());
  }

  @Test
  void badOptionsAreNamed() {
    assertTrue(message("--mode", "open", "--address", "h:1").contains("--rate"));
    assertTrue(message("--address", "h:1", "--concurrency", "0").contains("--concurrency"));
    assertTrue(message("--address", "h:1", "--bogus", "1").contains("--bogus"));
    assertTrue(message("--target", "audio", "--address", "h:1").contains("--target"));
    assertTrue(message("--mode", "closed").contains("--address"));
  }

  private static String message(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(List.of(args))).getMessage();
  }
}
