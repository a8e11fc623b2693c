package io.screenmesh.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.services.common.testing.PackagedService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With text-screening down, an image with metadata text is blocked as not fully screened (the
 * front door's fail-open or fail-closed rule reads the finding); others are unaffected.
 */
@QuarkusTest
@TestProfile(ImageTextDownTest.TextDown.class)
class ImageTextDownTest {

  /** Points the "text" client at a port where nothing listens. */
  public static final class TextDown implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        String closed = Integer.toString(PackagedService.freePort());
        return Map.of("quarkus.grpc.clients.text.port", closed, "quarkus.grpc.clients.text.test-port", closed);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @TestHTTPResource("/")
  URL url;

  @Test
  void metadataTextThatCannotBeScreenedBlocksAsUnscreened() throws InterruptedException {
    try (ImageGrpcClient client = new ImageGrpcClient(url)) {
      byte[] png = TestImages.withChunks(TestImages.png(30, 20), TestImages.tEXt("Comment", "anything at all"));
      ScreenImageResponse r = client.screen("m", png);
      assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision());
      Finding unscreened = r.getFindingsList().stream()
          .filter(f -> f.getCategory() == Category.CATEGORY_SCREENING_UNAVAILABLE).findFirst().orElseThrow();
      assertEquals("image.metadata-text", unscreened.getDetector());
      assertTrue(unscreened.getMessage().contains("TEXT_SCREENING_UNAVAILABLE"), unscreened.getMessage());
      DetectorRun run = r.getProcessing().getDetectorsList().stream()
          .filter(d -> d.getDetector().equals("image.metadata-text")).findFirst().orElseThrow();
      assertTrue(run.getReason().contains("TEXT_SCREENING_UNAVAILABLE"), run.toString());

      assertEquals(Decision.DECISION_ALLOW, client.screen("n", TestImages.png(30, 20)).getVerdict().getDecision());
    }
  }
}
