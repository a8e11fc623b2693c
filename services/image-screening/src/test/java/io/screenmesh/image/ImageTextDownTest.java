package io.screenmesh.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.services.common.testing.PackagedService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With text-screening down, images with metadata text fail UNAVAILABLE; others are unaffected. */
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
  void metadataTextThatCannotBeScreenedIsUnavailable() throws InterruptedException {
    try (ImageGrpcClient client = new ImageGrpcClient(url)) {
      byte[] png = TestImages.withChunks(TestImages.png(30, 20), TestImages.tEXt("Comment", "anything at all"));
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.screen("m", png));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
      assertEquals("TEXT_SCREENING_UNAVAILABLE", ImageGrpcClient.reasonOf(e));

      assertEquals(Decision.DECISION_ALLOW, client.screen("n", TestImages.png(30, 20)).getVerdict().getDecision());
    }
  }
}
