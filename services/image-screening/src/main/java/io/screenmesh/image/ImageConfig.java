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

  /**
   * {@code screenmesh.image.max-decode-bytes}: the most heap one decode may need, the decoder's
   * raster plus the RGB/RGBA copy, reckoned from the header before anything is allocated
   * (384 MiB: a 40-megapixel 8-bit RGBA image fits, a 16-bit one of that size does not).
   */
  @WithDefault("402653184")
  long maxDecodeBytes();

  /**
   * {@code screenmesh.image.decode-memory-budget}: the decode memory shared by all decodes in
   * flight (768 MiB: two decodes at {@code max-decode-bytes}, a third of the 2.1 GiB heap that a
   * 3 GiB pod gets at 70 %, leaving the rest for the rasters held after decoding). A decode that
   * cannot get its share waits; it must be at least {@code max-decode-bytes}.
   */
  @WithDefault("805306368")
  long decodeMemoryBudget();

  /**
   * {@code screenmesh.image.decode-memory-wait}: the longest a decode waits for its share of the
   * budget when the call has no earlier deadline.
   */
  @WithDefault("5s")
  Duration decodeMemoryWait();

  /** {@code screenmesh.image.text-timeout}: the longest a call to text-screening may take. */
  @WithDefault("2s")
  Duration textTimeout();

  /** Limits on metadata text, under {@code screenmesh.image.metadata.*}. */
  Metadata metadata();

  // The engine's own keys are read through the raw configuration by ImageEngineProducer and
  // EngineSettings; they are declared here so that the mapping accepts them when set.

  /** {@code screenmesh.image.batch.*}: the batcher. */
  java.util.Map<String, String> batch();

  /** {@code screenmesh.image.detectors.<name>.*}: each detector. */
  java.util.Map<String, java.util.Map<String, String>> detectors();

  /** {@code screenmesh.image.squeeze.*}: bit depth and median on the request path. */
  java.util.Map<String, String> squeeze();

  /** {@code screenmesh.image.sanitize}: squeeze or strip. */
  java.util.Optional<String> sanitize();

  /** {@code screenmesh.image.verdict.*}: the verdict thresholds. */
  java.util.Map<String, String> verdict();

  /** OCR of the text in the pixels, under {@code screenmesh.image.ocr.*}. */
  Ocr ocr();

  /** OCR (Tesseract) settings of detector {@code image.ocr}. */
  interface Ocr {

    /** {@code screenmesh.image.ocr.language}: the Tesseract language (its traineddata must be installed). */
    @WithDefault("eng")
    String language();

    /** {@code screenmesh.image.ocr.data-path}: the tessdata folder; unset, the library's default. */
    java.util.Optional<String> dataPath();

    /**
     * {@code screenmesh.image.ocr.budget}: the most OCR time one image may take, all passes
     * together; over it, what was read is screened and the image is reported as not fully read.
     */
    @WithDefault("1500ms")
    Duration budget();

    /** {@code screenmesh.image.ocr.threads}: Tesseract engines and their threads; unset, the cores. */
    java.util.Optional<Integer> threads();

    /** {@code screenmesh.image.ocr.min-word-confidence}: words below this confidence (0..100) are dropped as noise. */
    @WithDefault("55")
    float minWordConfidence();

    /** {@code screenmesh.image.ocr.small-word-height}: text with words lower than this (pixels) is read again upscaled twice. */
    @WithDefault("15")
    int smallWordHeight();

    /** {@code screenmesh.image.ocr.max-side}: larger images are shrunk to this longest side before OCR. */
    @WithDefault("2500")
    int maxSide();

    /** {@code screenmesh.image.ocr.max-upscaled-side}: no upscaling past this longest side. */
    @WithDefault("2000")
    int maxUpscaledSide();
  }

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
    return new ImageLimits(maxBytes(), maxPixels(), maxSide(), maxDecodeBytes());
  }
}
