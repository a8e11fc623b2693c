package io.screenmesh.text.screen;

/**
 * Limits and thresholds of text screening, read from {@code screenmesh.text.*}.
 *
 * @param maxTextLength longest text accepted, in UTF-16 units; longer is RESOURCE_EXHAUSTED
 *     with reason TEXT_TOO_LARGE
 * @param maxIdLength longest request id accepted, in UTF-16 units
 * @param decodeMaxDepth how deeply encoded payloads are decoded and rescanned (base64 inside
 *     hex inside URL encoding counts 3)
 * @param decodeMaxPayloads most payloads decoded per text, all depths together
 * @param decodeMaxChars most decoded characters per text, all depths together
 * @param minBase64Length shortest run of base64 characters that is decoded
 * @param flagThreshold fused score from which a text is flagged
 * @param blockThreshold fused score from which a text is blocked
 * @param blockOnCritical whether one CRITICAL finding blocks whatever the score
 */
public record ScreeningSettings(int maxTextLength, int maxIdLength, int decodeMaxDepth, int decodeMaxPayloads,
    int decodeMaxChars, int minBase64Length, double flagThreshold, double blockThreshold,
    boolean blockOnCritical) {

  /** Checks the values. */
  public ScreeningSettings {
    if (maxTextLength <= 0 || maxIdLength <= 0 || decodeMaxDepth < 0 || decodeMaxPayloads < 0
        || decodeMaxChars < 0 || minBase64Length < 8) {
      throw new IllegalArgumentException("screenmesh.text limits must be positive (min-base64-length >= 8)");
    }
    if (!(flagThreshold > 0 && flagThreshold <= blockThreshold && blockThreshold <= 1)) {
      throw new IllegalArgumentException("thresholds must satisfy 0 < flag (" + flagThreshold
          + ") <= block (" + blockThreshold + ") <= 1");
    }
  }

  /** The defaults that {@code application.properties} also documents. */
  public static ScreeningSettings defaults() {
    return new ScreeningSettings(65_536, 256, 6, 32, 65_536, 16, 0.5, 0.85, true);
  }
}
