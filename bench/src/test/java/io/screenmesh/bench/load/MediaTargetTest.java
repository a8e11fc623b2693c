package io.screenmesh.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.common.v1.Backend;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.common.v1.StageTiming;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MediaTargetTest {

  @Test
  void answersGoBackToTheirBatchPosition() {
    assertEquals(12, MediaTarget.position("batch-64/12"));
    assertEquals(0, MediaTarget.position("a/b/0"));
    assertEquals(-1, MediaTarget.position("no-index"));
    assertEquals(-1, MediaTarget.position("batch/"));
  }

  @Test
  void seenCountsBackendsAndBatchSizes() {
    MediaTarget.Seen seen = new MediaTarget.Seen();
    seen.record(ProcessingInfo.newBuilder().setBackend(Backend.BACKEND_NATIVE).setBatchSize(4)
        .addTimings(StageTiming.newBuilder().setStage("decode").setMicros(3000)).build(), 1024);
    seen.record(ProcessingInfo.newBuilder().setBackend(Backend.BACKEND_NATIVE).setBatchSize(2).build(), 3072);
    seen.record(ProcessingInfo.newBuilder().setBackend(Backend.BACKEND_JAVA).setBatchSize(4).build(), 2048);
    assertEquals(Map.of("NATIVE", 2L, "JAVA", 1L), seen.backends());
    assertEquals(Map.of(2, 1L, 4, 2L), seen.batchSizes());
    String line = seen.summary();
    assertTrue(line.contains("batch size mean 3.33"), line);
    assertTrue(line.contains("2.0 KiB mean, 3.0 KiB max"), line);
    assertEquals(Map.of("decode", 1.0), seen.stageMillis(), "3 ms over 3 answers");
  }
}
