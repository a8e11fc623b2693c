package io.screenmesh.image;

/**
 * Decode limits, checked against the header before pixels are decoded.
 *
 * @param maxBytes the largest encoded image accepted
 * @param maxPixels the most pixels (width × height)
 * @param maxSide the longest side in pixels
 */
public record ImageLimits(int maxBytes, long maxPixels, int maxSide) {

  /** The defaults: 20 MiB, 40 megapixels, 16,384 pixels a side. */
  public static final ImageLimits DEFAULTS = new ImageLimits(20 * 1024 * 1024, 40_000_000L, 16_384);
}
