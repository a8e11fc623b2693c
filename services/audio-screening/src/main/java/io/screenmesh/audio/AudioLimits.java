package io.screenmesh.audio;

/**
 * Decode limits, checked against the header before samples are decoded.
 *
 * @param maxBytes the largest encoded clip
 * @param maxSeconds the longest duration
 * @param minSampleRate the lowest sample rate in Hz
 * @param maxSampleRate the highest sample rate in Hz
 * @param maxChannels the most channels
 * @param maxTexts the most metadata texts kept
 * @param maxTextChars the longest metadata text kept
 */
public record AudioLimits(int maxBytes, double maxSeconds, int minSampleRate, int maxSampleRate,
    int maxChannels, int maxTexts, int maxTextChars) {

  /** The defaults: 50 MiB, 600 s, 8–192 kHz, 1–8 channels, 32 texts of 16,384 characters. */
  public static final AudioLimits DEFAULTS = new AudioLimits(50 * 1024 * 1024, 600, 8_000, 192_000, 8, 32, 16_384);
}
