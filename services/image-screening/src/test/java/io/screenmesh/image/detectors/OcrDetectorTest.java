package io.screenmesh.image.detectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.screenmesh.image.ImageConfig;
import io.screenmesh.image.PreparedImage;
import io.screenmesh.image.TextImages;
import io.screenmesh.image.ocr.OcrReader;
import io.screenmesh.services.common.DerivedTextScreener;
import io.screenmesh.services.common.engine.Detection;
import io.screenmesh.services.common.engine.DetectionContext;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The OCR detector's time budget and availability; no text reaches text-screening here. */
class OcrDetectorTest {

  /** The OCR settings at their defaults but for the language and the budget. */
  record Ocr(String language, Optional<String> dataPath, Duration budget, Optional<Integer> threads,
      float minWordConfidence, int smallWordHeight, int maxSide, int maxUpscaledSide) implements ImageConfig.Ocr {
    Ocr(String language, Duration budget) {
      this(language, Optional.empty(), budget, Optional.of(1), OcrReader.Settings.DEFAULTS.minWordConfidence(),
          OcrReader.Settings.DEFAULTS.smallWordHeight(), OcrReader.Settings.DEFAULTS.maxSide(),
          OcrReader.Settings.DEFAULTS.maxUpscaledSide());
    }
  }

  private final ManagedChannel channel = InProcessChannelBuilder.forName("no-text-screening").build();
  private final DerivedTextScreener text = new DerivedTextScreener(channel, Duration.ofSeconds(1));

  @AfterEach
  void close() {
    channel.shutdownNow();
  }

  @Test
  void overItsBudgetAnImageIsReportedNotFullyReadNeverHung() throws Exception {
    OcrDetector ocr = new OcrDetector(text, new Ocr("eng", Duration.ofMillis(60)));
    try {
      BufferedImage page = TextImages.render(1400, 1400, "", 14, Color.BLACK, Color.WHITE, 0, 0).image();
      for (int line = 0; line < 50; line++) {
        TextImages.draw(page, "a page full of small text keeps the recogniser busy for a long while", 14, Color.BLACK,
            10, 10 + line * 26);
      }
      PreparedImage p = new PreparedImage(null, null, TextImages.decoded(page), null, null);
      List<Detection> d = ocr.detect(List.of(p), DetectionContext.NONE);
      assertEquals(1, d.size());
      assertNotNull(d.get(0).failedReason(), String.valueOf(d.get(0)));
      assertTrue(d.get(0).failedReason().startsWith(OcrDetector.OVER_BUDGET), d.get(0).failedReason());
    } finally {
      ocr.close();
    }
  }

  @Test
  void missingLanguageDataMakesItUnavailableWithTheReason() {
    OcrDetector ocr = new OcrDetector(text, new Ocr("xqz", Duration.ofSeconds(1)));
    try {
      assertFalse(ocr.availability().available());
      assertTrue(ocr.availability().reason().contains("tesseract-ocr-xqz"), ocr.availability().reason());
    } finally {
      ocr.close();
    }
  }
}
