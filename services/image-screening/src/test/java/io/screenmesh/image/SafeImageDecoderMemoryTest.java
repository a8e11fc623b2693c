package io.screenmesh.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.screenmesh.services.common.ScreeningException;
import java.awt.image.BufferedImage;
import java.io.EOFException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import javax.imageio.IIOException;
import org.junit.jupiter.api.Test;

/** Decode memory: reckoned from the header before allocating, and never blamed on the caller. */
class SafeImageDecoderMemoryTest {

  private static final int BOMB_SIDE = 6324;

  private static ScreeningException refused(Status.Code code, String reason, Runnable r) {
    ScreeningException e = assertThrows(ScreeningException.class, r::run);
    assertEquals(code, e.code(), e.getMessage());
    assertEquals(reason, e.reason(), e.getMessage());
    return e;
  }

  private static SafeImageDecoder failingWith(Throwable failure, DecodeBudget budget) {
    return new SafeImageDecoder(ImageLimits.DEFAULTS, budget, (reader, param) -> {
      if (failure instanceof Error e) {
        throw e;
      }
      if (failure instanceof RuntimeException e) {
        throw e;
      }
      throw (java.io.IOException) failure;
    });
  }

  @Test
  void rgba16ZeroPngInsideEveryOtherLimitIsRefusedBeforeAnyLargeAllocation() {
    byte[] png = TestImages.zeroRgba16Png(BOMB_SIDE);
    assertTrue(png.length < 400 * 1024, "the test PNG has " + png.length + " bytes");
    SafeImageDecoder decoder = new SafeImageDecoder(ImageLimits.DEFAULTS);
    assertTrue((long) BOMB_SIDE * BOMB_SIDE <= ImageLimits.DEFAULTS.maxPixels(), "inside the pixel limit");

    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    long start = System.nanoTime();
    ScreeningException e = refused(Status.Code.RESOURCE_EXHAUSTED, SafeImageDecoder.DECODE_TOO_LARGE,
        () -> decoder.decode(png));
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    // Decoding takes 320 MB of 16-bit samples plus a 160 MB copy; refusing reads 33 bytes.
    assertTrue(allocated < 4L * 1024 * 1024, "allocated " + allocated + " bytes while refusing");
    assertTrue(tookMs < 10_000, "refusing took " + tookMs + " ms");
    assertTrue(e.getMessage().contains("479915712"), e.getMessage());
    assertTrue(e.getMessage().contains("64 bits a pixel"), e.getMessage());
  }

  @Test
  void decodeMemoryComesFromBitDepthAndColourType() {
    SafeImageDecoder decoder = new SafeImageDecoder(ImageLimits.DEFAULTS);
    // 40 megapixels of 8-bit RGBA: 4 bytes a pixel in the reader, 4 in the copy.
    ImageHeader rgba8 = decoder.checkHeader(TestImages.pngHeaderOnly(8_000, 5_000, 8, 6));
    assertEquals(32, rgba8.bitsPerPixel());
    assertEquals(320_000_000L, rgba8.decodeBytes());
    // The same pixels in 16-bit RGBA do not fit; raising the limit lets them through.
    refused(Status.Code.RESOURCE_EXHAUSTED, SafeImageDecoder.DECODE_TOO_LARGE,
        () -> decoder.checkHeader(TestImages.pngHeaderOnly(8_000, 5_000, 16, 6)));
    SafeImageDecoder roomy = new SafeImageDecoder(new ImageLimits(20 << 20, 40_000_000L, 16_384, 500_000_000L));
    assertEquals(480_000_000L, roomy.checkHeader(TestImages.pngHeaderOnly(8_000, 5_000, 16, 6)).decodeBytes());

    // Grey 16-bit: 2 bytes in the reader, an RGB copy of 3.
    assertEquals(5L * 100, decoder.checkHeader(TestImages.pngHeaderOnly(10, 10, 16, 0)).decodeBytes());
    // 1-bit palette rows are packed: 10 pixels take 2 bytes a row.
    assertEquals(20L + 300, decoder.checkHeader(TestImages.pngHeaderOnly(10, 10, 1, 3)).decodeBytes());
    // A tRNS chunk makes ImageIO add an alpha sample to RGB.
    byte[] trns = TestImages.chunk("tRNS", new byte[6]);
    ImageHeader keyed = decoder.checkHeader(TestImages.pngHeaderOnly(10, 10, 8, 2, trns));
    assertEquals(32, keyed.bitsPerPixel());
    assertTrue(keyed.alpha());
    assertFalse(decoder.checkHeader(TestImages.pngHeaderOnly(10, 10, 8, 2)).alpha());
    // Bit depths that the colour type does not allow are malformed headers.
    refused(Status.Code.INVALID_ARGUMENT, ImageHeader.MALFORMED,
        () -> decoder.checkHeader(TestImages.pngHeaderOnly(10, 10, 16, 3)));
    refused(Status.Code.INVALID_ARGUMENT, ImageHeader.MALFORMED,
        () -> decoder.checkHeader(TestImages.pngHeaderOnly(10, 10, 8, 5)));
  }

  @Test
  void jpegAndBmpHeadersGiveTheirSampleLayout() {
    SafeImageDecoder decoder = new SafeImageDecoder(ImageLimits.DEFAULTS);
    BufferedImage rgb = TestImages.pattern(13, 7, BufferedImage.TYPE_INT_RGB);
    ImageHeader jpeg = decoder.checkHeader(TestImages.encode(rgb, "jpeg"));
    assertEquals(24, jpeg.bitsPerPixel());
    assertFalse(jpeg.alpha());
    ImageHeader bmp = decoder.checkHeader(TestImages.encode(rgb, "bmp"));
    assertEquals(24, bmp.bitsPerPixel());
    // BMP rows are 13 × 3 bytes here, unpadded in the reader's raster.
    assertEquals(39L * 7 + 13 * 7 * 3, bmp.decodeBytes());
  }

  @Test
  void aBudgetSmallerThanOneDecodeIsRefusedAtConstruction() {
    DecodeBudget small = new DecodeBudget(ImageLimits.DEFAULT_MAX_DECODE_BYTES - 1, Duration.ofSeconds(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SafeImageDecoder(ImageLimits.DEFAULTS, small));
    assertTrue(e.getMessage().contains("decode-memory-budget"), e.getMessage());
  }

  @Test
  void outOfMemoryWhileDecodingIsResourceExhaustedAndGivesTheBudgetBack() {
    DecodeBudget budget = new DecodeBudget(SafeImageDecoder.DEFAULT_BUDGET_BYTES, Duration.ofSeconds(5));
    byte[] png = TestImages.png(32, 32);
    refused(Status.Code.RESOURCE_EXHAUSTED, SafeImageDecoder.DECODE_MEMORY,
        () -> failingWith(new OutOfMemoryError("Java heap space"), budget).decode(png));
    // ImageIO's PNG reader wraps any Throwable, OutOfMemoryError included, in an IIOException.
    refused(Status.Code.RESOURCE_EXHAUSTED, SafeImageDecoder.DECODE_MEMORY,
        () -> failingWith(new IIOException("Caught exception during read: ", new OutOfMemoryError()), budget)
            .decode(png));
    assertEquals(0, budget.inUse());
  }

  @Test
  void failuresUnrelatedToTheDataAreInternalNotInvalidArgument() {
    DecodeBudget budget = new DecodeBudget(SafeImageDecoder.DEFAULT_BUDGET_BYTES, Duration.ofSeconds(5));
    byte[] png = TestImages.png(32, 32);
    ScreeningException e = refused(Status.Code.INTERNAL, SafeImageDecoder.DECODE_INTERNAL,
        () -> failingWith(new IllegalStateException("reader state is broken"), budget).decode(png));
    assertFalse(e.getMessage().contains("broken"), "internal details reach the caller: " + e.getMessage());
    refused(Status.Code.INTERNAL, SafeImageDecoder.DECODE_INTERNAL,
        () -> failingWith(new IIOException("Caught exception during read: ", new NullPointerException()), budget)
            .decode(png));
    refused(Status.Code.INTERNAL, SafeImageDecoder.DECODE_INTERNAL,
        () -> failingWith(new StackOverflowError(), budget).decode(png));
    // A genuine format error from the same place stays the caller's.
    refused(Status.Code.INVALID_ARGUMENT, ImageHeader.MALFORMED,
        () -> failingWith(new IIOException("Error reading PNG image data", new EOFException()), budget).decode(png));
    refused(Status.Code.INVALID_ARGUMENT, ImageHeader.MALFORMED,
        () -> failingWith(new ArrayIndexOutOfBoundsException(4096), budget).decode(png));
    assertEquals(0, budget.inUse());
  }
}
