package io.screenmesh.image;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The image service's limits and peers, under {@code screenmesh.image.*}. */
@ConfigMapping(prefix = "screenmesh.image")
public interface ImageConfig {

  /** {@code screenmesh.image.max-bytes}: the largest encoded image accepted (20 MiB). */
  @WithDefault("20971520")
  int maxBytes();

  /** {@code screenmesh.image.max-pixels}: the most pixels (width × height) decoded (40 megapixels). */
  @WithDefault("40000000")
  long maxPixels();

  /** {@code screenmesh.image.max-side}: the longest side decoded, in pixels. */
  @WithDefault("16384")
  int maxSide();

  /** {@code screenmesh.image.text-timeout}: the longest a call to text-screening may take. */
  @WithDefault("2s")
  Duration textTimeout();

  /** Limits on metadata text, under {@code screenmesh.image.metadata.*}. */
  Metadata metadata();

  /** Limits on the text read from an image's metadata. */
  interface Metadata {

    /** {@code screenmesh.image.metadata.max-texts}: the most distinct metadata texts screened. */
    @WithDefault("32")
    int maxTexts();

    /** {@code screenmesh.image.metadata.max-text-chars}: the longest metadata text screened. */
    @WithDefault("16384")
    int maxTextChars();

    /**
     * {@code screenmesh.image.metadata.max-inflated-bytes}: the most bytes one compressed text
     * chunk may inflate to before it is cut (a decompression-bomb guard).
     */
    @WithDefault("1048576")
    int maxInflatedBytes();
  }

  /** The decode limits as a plain value. */
  default ImageLimits limits() {
    return new ImageLimits(maxBytes(), maxPixels(), maxSide());
  }
}
