package io.screenmesh.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.grpc.Context;
import io.screenmesh.image.metadata.MetadataExtractor;
import io.screenmesh.services.common.testing.FuzzChecks;
import java.time.Duration;
import java.util.Set;

/**
 * Fuzz target for everything the image service reads from a caller's bytes: the format sniff,
 * the header check, the bounded decode and the metadata text readers (PNG tEXt/zTXt/iTXt, JPEG
 * COM, EXIF and XMP, GIF comments). The seeds under {@code ImageFuzzTestInputs/decode} (made by
 * make-fuzz-seeds.py) run as regression tests in every build; {@code ./screenmesh fuzz} mutates them.
 */
class ImageFuzzTest {

  // Smaller than the service's defaults so one input decodes in milliseconds; the code paths
  // and the checks against the limits are the same.
  private static final ImageLimits LIMITS = new ImageLimits(1 << 20, 1L << 20, 4096, 16L << 20);
  private static final int MAX_INFLATED = 1 << 20;
  private static final Set<String> REASONS = Set.of(SafeImageDecoder.EMPTY, SafeImageDecoder.TOO_LARGE,
      SafeImageDecoder.DIMENSIONS_TOO_LARGE, SafeImageDecoder.DECODE_TOO_LARGE, SafeImageDecoder.DECODE_MEMORY,
      SafeImageDecoder.FORMAT_UNSUPPORTED, ImageHeader.MALFORMED, DecodeBudget.SERVER_BUSY);
  // The decode may hold its declared output twice (the reader's raster and the copy it returns),
  // the metadata readers one inflated text, plus the fixed cost of ImageIO's reader objects.
  private static final long ALLOWANCE = 2 * LIMITS.maxDecodeBytes() + MAX_INFLATED + (8L << 20);

  private static final SafeImageDecoder DECODER =
      new SafeImageDecoder(LIMITS, new DecodeBudget(LIMITS.maxDecodeBytes(), Duration.ofSeconds(5)));
  private static final MetadataExtractor METADATA = new MetadataExtractor(32, 16_384, MAX_INFLATED);

  @FuzzTest
  void decode(byte[] data) {
    FuzzChecks.check(data.length, ALLOWANCE, REASONS, () -> {
      ImageFormat format = ImageFormat.sniff(data);
      if (format != null) {
        METADATA.extract(format, data);
      }
      DecodedImage image = DECODER.decode(data, Context.ROOT);
      long pixels = (long) image.width() * image.height();
      if (pixels > LIMITS.maxPixels() || image.width() > LIMITS.maxSide() || image.height() > LIMITS.maxSide()) {
        throw new AssertionError("decoded " + image.width() + "x" + image.height() + " past the limits");
      }
    });
  }
}
