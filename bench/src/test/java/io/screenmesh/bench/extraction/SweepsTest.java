package io.screenmesh.bench.extraction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweepsTest {

  @Test
  void everyStreamIsFullLengthWithoutRepeats() {
    // The monitor skips a repeated query, so a repeat would shorten the sweep it is judged on.
    Map<String, List<String>> sweeps = Sweeps.all(new long[] {11, 12});
    assertEquals(8, sweeps.size());
    sweeps.forEach((name, queries) -> {
      assertEquals(Sweeps.LENGTH, queries.size(), name);
      assertEquals(Sweeps.LENGTH, new HashSet<>(queries).size(), name + " repeats a query");
    });
  }

  @Test
  void seedsDrawDifferentStreams() {
    Map<String, List<String>> sweeps = Sweeps.all(new long[] {11, 12});
    for (String family : List.of("attribute-sweep", "number-ladder", "word-substitution", "paraphrase-ladder")) {
      assertNotEquals(sweeps.get(family + "/seed-11"), sweeps.get(family + "/seed-12"), family);
    }
  }
}
