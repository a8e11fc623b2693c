package io.screenmesh.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.image.v1.ScreenImageStreamResponse;
import io.screenmesh.services.common.testing.TextScreeningTestResource;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Metadata text screened by a real text-screening process, started for this test. */
@QuarkusTest
@QuarkusTestResource(value = TextScreeningTestResource.class, restrictToAnnotatedClass = true)
class ImageMetadataTextTest extends WithTextScreening {

  private static void assertAttackFoundAt(ScreenImageResponse r, String source) {
    List<Finding> text = r.getFindingsList().stream()
        .filter(f -> ATTACK_CATEGORIES.contains(f.getCategory()))
        .toList();
    assertFalse(text.isEmpty(), "no injection finding in " + r.getFindingsList());
    for (Finding f : text) {
      assertEquals(Modality.MODALITY_IMAGE, f.getModality());
      assertTrue(f.getEvidence().getTextSpan().getSource().startsWith(source), f.toString());
    }
    Finding hidden = r.getFindingsList().stream()
        .filter(f -> f.getCategory() == Category.CATEGORY_HIDDEN_TEXT).findFirst().orElseThrow();
    assertEquals("image.metadata-text", hidden.getDetector());
    assertEquals(source, hidden.getEvidence().getTextSpan().getSource());
    assertEquals(ATTACK.length(), hidden.getEvidence().getTextSpan().getEndUtf16());
    assertNotEquals(Decision.DECISION_ALLOW, r.getVerdict().getDecision());
  }

  @Test
  void anInjectionInAPngCommentIsFoundAndStripped() {
    byte[] png = TestImages.withChunks(TestImages.png(200, 120), TestImages.tEXt("Comment", ATTACK));
    ScreenImageResponse r = client.screen("poster", png);
    assertAttackFoundAt(r, "metadata:png:tEXt:Comment");
    assertEquals("png:tEXt:Comment", r.getMetadataText(0).getSource());
    assertEquals(ATTACK, r.getMetadataText(0).getText());
    List<String> chunks = TestImages.chunkTypes(r.getSanitizedPng().toByteArray());
    assertFalse(chunks.contains("tEXt"), chunks.toString());
    assertFalse(chunks.contains("zTXt") || chunks.contains("iTXt"), chunks.toString());
  }

  @Test
  void anInjectionInExifIsFound() {
    byte[] tiff = new TestImages.Tiff(ByteOrder.LITTLE_ENDIAN)
        .ifd0(0x010E, 2, (ATTACK + "\0").getBytes(StandardCharsets.US_ASCII)).build();
    byte[] jpeg = TestImages.withSegment(TestImages.jpeg(80, 60), 0xE1,
        TestImages.concat("Exif\0\0".getBytes(StandardCharsets.US_ASCII), tiff));
    assertAttackFoundAt(client.screen("exif", jpeg), "metadata:exif:ImageDescription");
  }

  @Test
  void benignMetadataIsListedButAllowed() {
    byte[] png = TestImages.withChunks(TestImages.png(50, 40), TestImages.tEXt("Software", "Created with a paint program"));
    ScreenImageResponse r = client.screen("benign", png);
    assertEquals(Decision.DECISION_ALLOW, r.getVerdict().getDecision(), r.getFindingsList().toString());
    assertEquals("Created with a paint program", r.getMetadataText(0).getText());
  }

  @Test
  void theStreamScreensMetadataPerItem() throws InterruptedException {
    List<ScreenImageStreamResponse> answers = client.stream(List.of(
        ScreenImageRequest.newBuilder().setId("attack").setData(ByteString.copyFrom(
            TestImages.gifWithComment(20, 20, ATTACK))).build(),
        ScreenImageRequest.newBuilder().setId("clean").setData(ByteString.copyFrom(TestImages.png(20, 20))).build()));
    assertEquals("attack", answers.get(0).getId());
    assertAttackFoundAt(answers.get(0).getResponse(), "metadata:gif:comment");
    assertEquals(Decision.DECISION_ALLOW, answers.get(1).getResponse().getVerdict().getDecision());
  }
}
