package io.screenmesh.image;

/**
 * Decoded pixels, interleaved row-major (NHWC with N = 1): RGB when {@code channels} is 3,
 * RGBA (non-premultiplied) when it is 4, one byte per sample.
 *
 * @param format the format the image was decoded from
 * @param width width in pixels
 * @param height height in pixels
 * @param channels 3 or 4
 * @param pixels {@code width * height * channels} bytes
 */
public record DecodedImage(ImageFormat format, int width, int height, int channels, byte[] pixels) {

  /** Checks that the raster's size matches its dimensions. */
  public DecodedImage {
    if (channels != 3 && channels != 4) {
      throw new IllegalArgumentException("channels must be 3 or 4: " + channels);
    }
    if ((long) width * height * channels != pixels.length) {
      throw new IllegalArgumentException("raster size differs: " + pixels.length + " != "
          + width + " * " + height + " * " + channels);
    }
  }
}
