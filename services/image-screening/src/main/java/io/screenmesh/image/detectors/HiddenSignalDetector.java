package io.screenmesh.image.detectors;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Evidence;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.ImageRegion;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.image.DecodedImage;
import io.screenmesh.image.ImageConfig;
import io.screenmesh.image.ImageDetector;
import io.screenmesh.image.PreparedImage;
import io.screenmesh.image.hidden.HiddenSignalBaseline;
import io.screenmesh.image.hidden.LsbStatistics;
import io.screenmesh.services.common.engine.Detection;
import io.screenmesh.services.common.engine.DetectionContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@value #ID}: data hidden in the least-significant-bit plane of an image (steganography, or a
 * covert signal meant for a model). Three statistics of {@link LsbStatistics} (chi-square
 * attack, RS analysis, noise in flat regions) are compared with a baseline calibrated on benign
 * images ({@link HiddenSignalBaseline}); a HIDDEN_SIGNAL finding is raised only when one is above
 * its threshold. The squeezed sanitized image drops the LSB plane anyway (bit depth below 8); the
 * finding tells the caller the original carried something.
 *
 * <p>Keys under {@code screenmesh.image.detectors.hidden-signal.*}: {@code baseline-file}
 * (from {@code ./screenmesh calibrate --detector hidden-signal}), {@code chi-square-threshold},
 * {@code rs-threshold}, {@code flat-noise-threshold}.
 */
@ApplicationScoped
public class HiddenSignalDetector implements ImageDetector {

  /** The detector's id. */
  public static final String ID = "image.hidden-signal";

  private static final String[] NAMES = {"chi-square p", "RS rate", "flat-region LSB noise"};

  /**
   * Colour samples below which the statistics are not computed (about 58×58 RGB): on a few
   * hundred samples the RS estimate swings by tenths, and an icon carries little payload anyway.
   */
  public static final int MIN_SAMPLES = 10_000;

  private final HiddenSignalBaseline baseline;

  /** Creates the detector from {@code screenmesh.image.detectors.hidden-signal.*}. */
  @Inject
  public HiddenSignalDetector(ImageConfig config) {
    this(HiddenSignalBaseline.from(config.detectors().getOrDefault("hidden-signal", Map.of())));
  }

  /** Creates the detector over {@code baseline} (tools and tests). */
  public HiddenSignalDetector(HiddenSignalBaseline baseline) {
    this.baseline = baseline;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public List<Detection> detect(List<PreparedImage> batch, DetectionContext context) {
    List<Detection> out = new ArrayList<>(batch.size());
    for (PreparedImage p : batch) {
      out.add(detect(p.image()));
    }
    return out;
  }

  /** Screens one decoded image. */
  public Detection detect(DecodedImage image) {
    if ((long) image.width() * image.height() * 3 < MIN_SAMPLES) {
      return Detection.skipped("too small for LSB statistics");
    }
    double[] s = HiddenSignalBaseline.statistics(image);
    double[] t = baseline.thresholds();
    List<String> above = new ArrayList<>();
    double excess = 0;
    for (int k = 0; k < s.length; k++) {
      if (s[k] > t[k]) {
        above.add(String.format(Locale.ROOT, "%s %.3f > %.3f", NAMES[k], s[k], t[k]));
        excess = Math.max(excess, (s[k] - t[k]) / Math.max(1e-6, 1 - t[k]));
      }
    }
    if (above.isEmpty()) {
      return Detection.NOTHING;
    }
    return Detection.of(Finding.newBuilder()
        .setDetector(ID)
        .setCategory(Category.CATEGORY_HIDDEN_SIGNAL)
        .setSeverity(Severity.SEVERITY_MEDIUM)
        // Flagged, not blocked, by the default rule: an LSB payload is a channel, not an attack by itself.
        .setScore((float) Math.min(0.8, 0.6 + 0.2 * excess))
        .setModality(Modality.MODALITY_IMAGE)
        .setEvidence(Evidence.newBuilder()
            .setImageRegion(ImageRegion.newBuilder().setWidth(image.width()).setHeight(image.height()))
            .setExcerpt(String.join("; ", above)))
        .setMessage("the least-significant-bit plane looks like it carries data")
        .build());
  }
}
