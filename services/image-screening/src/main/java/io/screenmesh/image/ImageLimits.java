package io.screenmesh.image;

/**
 * Decode limits, checked against the header before pixels are decoded.
 *
 * @param maxBytes the largest encoded image accepted
 * @param maxPixels the most pixels (width × height)
 * @param maxSide the longest side in pixels
 * @param maxDecodeBytes the most heap one decode may need: the decoder's own raster plus the
 *     RGB/RGBA copy handed on ({@link ImageHeader#decodeBytes()})
 */
public record ImageLimits(int maxBytes, long maxPixels, int maxSide, long maxDecodeBytes) {

  /**
   * The default decode memory, 384 MiB: a 40-megapixel 8-bit RGBA image needs 320 MB (4 bytes a
   * pixel in the decoder's raster and 4 in the copy) and fits; a 16-bit RGBA image of as many
   * pixels needs 480 MB (8 + 4) and does not. Every 8-bit image within the pixel limit fits.
   */
  public static final long DEFAULT_MAX_DECODE_BYTES = 384L * 1024 * 1024;

  /** The defaults: 20 MiB, 40 megapixels, 16,384 pixels a side, 384 MiB of decode memory. */
  public static final ImageLimits DEFAULTS =
      new ImageLimits(20 * 1024 * 1024, 40_000_000L, 16_384, DEFAULT_MAX_DECODE_BYTES);

  /** Limits with the default decode memory ({@value #DEFAULT_MAX_DECODE_BYTES} bytes). */
  public ImageLimits(int maxBytes, long maxPixels, int maxSide) {
    this(maxBytes, maxPixels, maxSide, DEFAULT_MAX_DECODE_BYTES);
  }
}
