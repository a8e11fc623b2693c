package io.screenmesh.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code ./screenmesh} launcher's command surface, without building or starting anything:
 * {@code help} lists {@code batch}, {@code batch} without its files is a usage error before
 * any mesh is looked for, and the launcher, the root pom (release and enforcer) and the README
 * ask for the same JDK. Skipped, with the reason, where bash is not installed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherTest {

  private static Path root;

  @BeforeAll
  static void findLauncher() {
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash")),
        "bash is not installed: the launcher checks are skipped");
    root = Path.of("").toAbsolutePath();
    while (root != null && !Files.isRegularFile(root.resolve("screenmesh"))) {
      root = root.getParent();
    }
    assertNotNull(root, "the screenmesh launcher was not found above " + Path.of("").toAbsolutePath());
  }

  @Test
  void helpListsBatchWithItsFlags() throws Exception {
    assertLaunch(0, launch -> launch.stdout, "\n  batch --in FILE --out FILE [--shard I --shards N]", "help");
  }

  @Test
  void helpOfACommandThatTalksToTheMeshNeedsNoMesh() throws Exception {
    for (String cmd : new String[] {"screen", "eval", "batch"}) {
      assertLaunch(0, launch -> launch.stdout, "\n  screen [--text T]...", cmd, "--help");
    }
  }

  @Test
  void batchWithoutInOrOutIsAUsageErrorThatSaysWhatIsMissing() throws Exception {
    String message = "batch needs --in FILE (the JSONL manifest) and --out FILE (the results)";
    assertLaunch(2, launch -> launch.stderr, message, "batch");
    assertLaunch(2, launch -> launch.stderr, message, "batch", "--in", "items.jsonl");
    assertLaunch(2, launch -> launch.stderr, message, "batch", "--out=results.jsonl");
  }

  @Test
  void tokenMintsADevelopmentJwtWithTheScopesAskedFor() throws Exception {
    Result r = launch("token", "--scope", "screen policy:availability-first", "--ttl", "60", "--sub", "launcher-test");
    assertEquals(0, r.exit, r.toString());
    String[] jwt = r.stdout.strip().split("\\.");
    assertEquals(3, jwt.length, r.stdout);
    String claims = new String(java.util.Base64.getUrlDecoder().decode(jwt[1]), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(claims.contains("\"scope\":\"screen policy:availability-first\"")
        && claims.contains("\"sub\":\"launcher-test\"") && claims.contains("\"aud\":\"screenmesh\""), claims);
    assertLaunch(2, launch -> launch.stderr, "token: unknown option --scopes", "token", "--scopes", "screen");
  }

  @Test
  void unknownCommandIsAUsageError() throws Exception {
    assertLaunch(2, launch -> launch.stderr, "usage: ./screenmesh <command>", "no-such-command");
  }

  @Test
  void launcherEnforcerAndReadmeAskForTheJdkTheBuildCompilesFor() throws IOException {
    String pom = read("pom.xml");
    int release = firstInt(pom, "<maven\\.compiler\\.release>(\\d+)</maven\\.compiler\\.release>", "pom.xml release");
    assertEquals(release, firstInt(pom, "<requireJavaVersion>(?:\\s|<!--.*?-->)*<version>\\[(\\d+),\\)</version>",
        "pom.xml enforcer"), "the enforcer's lowest JDK");
    assertEquals(release, firstInt(read("screenmesh"), "(?m)^JDK_MIN=(\\d+)$", "screenmesh JDK_MIN"),
        "the launcher's lowest JDK");
    assertEquals(release, firstInt(read("README.md"), "need a JDK (\\d+) or newer", "README.md"), "the README's JDK");
  }

  private static String read(String file) throws IOException {
    return Files.readString(root.resolve(file), StandardCharsets.UTF_8);
  }

  private static int firstInt(String text, String regex, String where) {
    Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
    assertTrue(m.find(), where + ": no match for " + regex);
    return Integer.parseInt(m.group(1));
  }

  private record Result(int exit, String stdout, String stderr) {}

  /** Runs the launcher and checks its exit status and that one of its streams holds {@code expected}. */
  private static void assertLaunch(int exit, Function<Result, String> stream, String expected, String... args)
      throws IOException, InterruptedException {
    Result r = launch(args);
    assertEquals(exit, r.exit, r.toString());
    assertTrue(stream.apply(r).contains(expected), "expected '" + expected + "' in " + r);
  }

  private static Result launch(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("screenmesh").toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("launcher", ".out");
    Path err = Files.createTempFile("launcher", ".err");
    try {
      Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectOutput(out.toFile())
          .redirectError(err.toFile()).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("./screenmesh " + String.join(" ", args) + " did not end within 30 s");
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
