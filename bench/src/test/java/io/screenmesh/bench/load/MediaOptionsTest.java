package io.screenmesh.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaOptionsTest {

  @Test
  void imageClosedLoopWithDefaults() {
    MediaOptions o = MediaOptions.parse(List.of("--target", "image", "--payload", "a.png", "--address", "h:1"));
    assertEquals(MediaTarget.Kind.IMAGE, o.kind());
    assertEquals(List.of(Path.of("a.png")), o.payloads());
    assertFalse(o.omitSanitized(), "the sanitized copy is sent back unless asked otherwise");
    assertEquals("h:1", o.load().address());
    assertEquals("closed", o.load().mode());
    assertNull(o.load().ca());
  }

  @Test
  void streamsOfAudioWithoutSanitizedCopies() {
    MediaOptions o = MediaOptions.parse(List.of("--target", "audio", "--payload", "a.wav, b.wav", "--omit-sanitized",
        "--address", "h:1", "--mode", "batch", "--concurrency", "2", "--batch", "8", "--warmup", "5", "--duration", "15"));
    assertEquals(MediaTarget.Kind.AUDIO, o.kind());
    assertEquals(List.of(Path.of("a.wav"), Path.of("b.wav")), o.payloads());
    assertTrue(o.omitSanitized());
    assertEquals("batch", o.load().mode());
    assertEquals(2, o.load().concurrency());
    assertEquals(8, o.load().batchSize());
    assertEquals(5, o.load().warmupSeconds());
    assertEquals(15, o.load().durationSeconds());
  }

  @Test
  void meshFileSuppliesTheModalityAddressAndClientCertificate(@TempDir Path dir) throws IOException {
    Path env = dir.resolve("mesh.env");
    Files.writeString(env, """
        FRONT_DOOR=localhost:7001
        TEXT=localhost:7002
        IMAGE=localhost:7003
        AUDIO=localhost:7004
        CA=%s/ca.crt
        TOKEN=abc123
        """.formatted(dir));
    MediaOptions image = MediaOptions.parse(List.of("--mesh", env.toString(), "--target", "image", "--payload", "a.png"));
    assertEquals("localhost:7003", image.load().address());
    assertEquals(dir.resolve("ca.crt").toString(), image.load().ca());
    assertEquals(dir.resolve("fusion-checker.crt").toString(), image.load().cert());
    assertEquals(dir.resolve("fusion-checker.key").toString(), image.load().key());
    MediaOptions audio = MediaOptions.parse(List.of("--target", "audio", "--payload", "a.wav", "--mesh", env.toString()));
    assertEquals("localhost:7004", audio.load().address());
    MediaOptions explicit = MediaOptions.parse(List.of("--target", "audio", "--payload", "a.wav", "--mesh", env.toString(),
        "--address", "elsewhere:9"));
    assertEquals("elsewhere:9", explicit.load().address(), "--address wins over the mesh file");
  }

  @Test
  void badOptionsAreNamed(@TempDir Path dir) throws IOException {
    assertTrue(message("--target", "text", "--payload", "a", "--address", "h:1").contains("--target"));
    assertTrue(message("--payload", "a", "--address", "h:1").contains("--target"));
    assertTrue(message("--target", "image", "--address", "h:1").contains("--payload"));
    assertTrue(message("--target", "image", "--payload", "a,,b", "--address", "h:1").contains("empty file name"));
    assertTrue(message("--target", "image", "--payload", "a").contains("--address"));
    assertTrue(message("--target", "image", "--payload", "a", "--address", "h:1", "--prompts", "p.jsonl")
        .contains("--prompts"));
    assertTrue(message("--target", "image", "--payload", "a", "--address", "h:1", "--mode", "half-max")
        .contains("half-max"));
    assertTrue(message("--target", "image", "--payload", "a", "--address", "h:1", "--concurrency", "0")
        .contains("--concurrency"));
    assertTrue(message("--target", "image", "--payload").contains("missing value"));
    Path env = dir.resolve("mesh.env");
    Files.writeString(env, "TEXT=localhost:7002\n");
    assertTrue(message("--target", "audio", "--payload", "a", "--mesh", env.toString()).contains("AUDIO"));
    assertEquals("", message("--help"));
  }

  private static String message(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> MediaOptions.parse(List.of(args))).getMessage();
  }
}
