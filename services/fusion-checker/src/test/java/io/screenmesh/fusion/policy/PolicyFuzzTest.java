package io.screenmesh.fusion.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.screenmesh.services.common.testing.FuzzChecks;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Fuzz target for the policy loader: any document is either a set of policies or a
 * {@link PolicyFileException} that names its problems, never another exception, and alias
 * bombs stay cut. Seeds: {@code PolicyFuzzTestInputs/parse} (the bundled file and broken ones).
 */
class PolicyFuzzTest {

  // SnakeYAML's parser objects and the schema check's messages, whatever the document.
  private static final long ALLOWANCE = 4L << 20;

  @FuzzTest
  void parse(byte[] data) {
    String yaml = new String(data, StandardCharsets.UTF_8);
    FuzzChecks.check(data.length, ALLOWANCE, Set.of(), () -> {
      try {
        PolicyLoader.parse("fuzz.yaml", yaml);
      } catch (PolicyFileException e) {
        assertFalse(e.problems().isEmpty(), "a refusal without a problem");
      }
    });
  }
}
