package io.screenmesh.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.DetectorOutcome;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.ImageRegion;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.image.detectors.OcrDetector;
import io.screenmesh.image.detectors.QrCodeDetector;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.services.common.testing.TextScreeningTestResource;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Text in the pixels (OCR) and in QR codes, screened by a real text-screening process started for this test. */
@QuarkusTest
@QuarkusTestResource(value = TextScreeningTestResource.class, restrictToAnnotatedClass = true)
class ImagePixelTextTest extends WithTextScreening {

  private static Finding hidden(ScreenImageResponse r, String detector) {
    return r.getFindingsList().stream()
        .filter(f -> f.getDetector().equals(detector) && f.getCategory() == Category.CATEGORY_HIDDEN_TEXT)
        .filter(f -> f.getSeverity().getNumber() > Severity.SEVERITY_LOW.getNumber())
        .findFirst().orElseThrow(() -> new AssertionError("no HIDDEN_TEXT finding by " + detector + " in "
            + r.getFindingsList()));
  }

  @Test
  void anInstructionDrawnInTheImageIsFoundWithItsRegion() {
    Map<String, TextImages.Rendered> images = Map.of(
        "dark on light", TextImages.render(760, 200, ATTACK, 24, Color.BLACK, Color.WHITE, 20, 60),
        "light on dark", TextImages.render(760, 200, ATTACK, 24, new Color(250, 250, 240), new Color(20, 30, 60), 20, 60),
        "rotated 90", TextImages.rotated90(TextImages.render(760, 160, ATTACK, 24, Color.BLACK, Color.WHITE, 20, 50)),
        "14 px", TextImages.render(560, 120, ATTACK, 14, Color.BLACK, Color.WHITE, 10, 40));
    images.forEach((name, image) -> {
      ScreenImageResponse r = client.screen(name, image.png());
      List<Finding> text = r.getFindingsList().stream().filter(f -> ATTACK_CATEGORIES.contains(f.getCategory())).toList();
      assertFalse(text.isEmpty(), name + ": no injection finding in " + r.getFindingsList());
      assertTrue(text.stream().allMatch(f -> f.getEvidence().getTextSpan().getSource().startsWith("ocr:")), name);
      ImageRegion region = hidden(r, OcrDetector.ID).getEvidence().getImageRegion();
      Rectangle found = new Rectangle(region.getX(), region.getY(), region.getWidth(), region.getHeight());
      Rectangle drawn = image.text();
      Rectangle overlap = found.intersection(drawn);
      assertTrue(!overlap.isEmpty() && overlap.width * overlap.height >= 0.8 * drawn.width * drawn.height,
          name + ": region " + found + " does not cover the drawn text at " + drawn);
      assertNotEquals(Decision.DECISION_ALLOW, r.getVerdict().getDecision(), name);
    });
  }

  @Test
  void aPhotoWithoutTextHasNoOcrFinding() {
    for (String photo : new String[] {"coffee.jpg", "chelsea.jpg"}) {
      ScreenImageResponse r = client.screen(photo, TestImages.encode(TextImages.photo(photo), "png"));
      assertTrue(r.getFindingsList().stream().noneMatch(f -> f.getDetector().equals(OcrDetector.ID)
          || f.getEvidence().getTextSpan().getSource().startsWith("ocr:")), photo + ": " + r.getFindingsList());
      assertEquals(Decision.DECISION_ALLOW, r.getVerdict().getDecision(), photo);
      assertTrue(r.getProcessing().getDetectorsList().stream().anyMatch(d -> d.getDetector().equals(OcrDetector.ID)
          && d.getOutcome() == DetectorOutcome.DETECTOR_OUTCOME_RAN), r.getProcessing().toString());
    }
  }

  @Test
  void aQrCodeCarryingAnInjectionIsFlaggedWithItsPayload() throws WriterException {
    ScreenImageResponse r = client.screen("qr", qr(ATTACK, 300, 40));
    Finding f = hidden(r, QrCodeDetector.ID);
    assertTrue(f.getEvidence().getExcerpt().contains("Ignore all previous instructions"), f.toString());
    assertTrue(f.getMessage().contains("payload"), f.getMessage());
    ImageRegion region = f.getEvidence().getImageRegion();
    // The code's modules lie inside the drawn square (40..340, with its quiet zone) and fill
    // most of it: the region must cover them, give or take a module.
    Rectangle r2 = new Rectangle(region.getX(), region.getY(), region.getWidth(), region.getHeight());
    assertTrue(new Rectangle(35, 35, 310, 310).contains(r2) && r2.width > 200 && r2.height > 200, r2.toString());
    assertTrue(r.getFindingsList().stream().anyMatch(x -> ATTACK_CATEGORIES.contains(x.getCategory())),
        r.getFindingsList().toString());
    assertNotEquals(Decision.DECISION_ALLOW, r.getVerdict().getDecision());
  }

  @Test
  void aQrCodeWithAPlainLinkIsReportedNotBlocked() throws WriterException {
    ScreenImageResponse r = client.screen("link", qr("https://example.com/menu", 240, 20));
    Finding link = r.getFindingsList().stream().filter(f -> f.getDetector().equals(QrCodeDetector.ID)).findFirst()
        .orElseThrow(() -> new AssertionError("no link finding in " + r.getFindingsList()));
    assertEquals(Severity.SEVERITY_LOW, link.getSeverity());
    assertEquals("https://example.com/menu", link.getEvidence().getExcerpt());
    assertEquals(Decision.DECISION_ALLOW, r.getVerdict().getDecision(), r.getFindingsList().toString());
  }

  /** A white image with a QR code of {@code text}, {@code side} pixels, at ({@code at}, {@code at}). */
  private static byte[] qr(String text, int side, int at) throws WriterException {
    BitMatrix m = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, side, side);
    BufferedImage img = new BufferedImage(side + 2 * at, side + 2 * at, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        boolean dark = x >= at && y >= at && x < at + side && y < at + side && m.get(x - at, y - at);
        img.setRGB(x, y, dark ? 0 : 0xffffff);
      }
    }
    return TestImages.encode(img, "png");
  }
}
