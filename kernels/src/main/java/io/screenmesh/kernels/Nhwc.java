package io.screenmesh.kernels;

/**
 * The shape of an image batch laid out as NHWC (batch, height, width, channels), row-major with
 * channels innermost, the layout of decoded images and of ART's squeezers.
 *
 * @param n      number of images, at least 1
 * @param height rows per image, at least 1
 * @param width  columns per image, at least 1
 * @param channels values per pixel, at least 1
 */
public record Nhwc(int n, int height, int width, int channels) {
    /**
     * Checks the dimensions.
     *
     * @throws IllegalArgumentException when a dimension is below 1
     */
    public Nhwc {
        if (n < 1 || height < 1 || width < 1 || channels < 1) {
            throw new IllegalArgumentException(
                    "NHWC dimensions must be at least 1: " + n + "x" + height + "x" + width + "x" + channels);
        }
    }

    /** Number of values in the batch, {@code n·height·width·channels}. */
    public long elements() {
        return (long) n * height * width * channels;
    }

    @Override
    public String toString() {
        return n + "x" + height + "x" + width + "x" + channels;
    }
}
