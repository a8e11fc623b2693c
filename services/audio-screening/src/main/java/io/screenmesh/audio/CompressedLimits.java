package io.screenmesh.audio;

import io.screenmesh.services.common.ScreeningException;

/**
 * The limits a compressed clip's header claims are checked against before any sample is decoded,
 * with the same reasons as {@link SafeWavDecoder}, plus a cap on the decoded samples: a few
 * kilobytes of FLAC, Opus or MP3 can claim minutes of audio, so the byte limit alone does not
 * bound the memory a decode takes.
 *
 * @param audio the limits shared with WAV
 * @param maxDecodedSamples the most samples (frames × channels) a compressed clip may decode to
 */
record CompressedLimits(AudioLimits audio, long maxDecodedSamples) {

  /** The defaults: {@link AudioLimits#DEFAULTS} and as many samples as the largest 16-bit WAV holds. */
  static final CompressedLimits DEFAULTS = new CompressedLimits(AudioLimits.DEFAULTS, AudioLimits.DEFAULTS.maxBytes() / 2);

  /** Refuses empty data and data over the byte limit. */
  void checkBytes(byte[] data) {
    if (data.length == 0) {
      throw ScreeningException.invalid(SafeWavDecoder.EMPTY, "the clip is empty");
    }
    if (data.length > audio.maxBytes()) {
      throw ScreeningException.tooLarge(SafeWavDecoder.TOO_LARGE, "the clip has " + data.length
          + " bytes; the limit is " + audio.maxBytes());
    }
  }

  /** Refuses a rate or channel count outside the limits. */
  void checkFormat(String format, long rate, int channels) {
    if (channels < 1) {
      throw ScreeningException.invalid(SafeWavDecoder.MALFORMED, "the " + format + " header declares no channels");
    }
    if (channels > audio.maxChannels()) {
      throw ScreeningException.invalid(SafeWavDecoder.CHANNELS_UNSUPPORTED, "the clip has " + channels
          + " channels; at most " + audio.maxChannels() + " are accepted");
    }
    if (rate < audio.minSampleRate() || rate > audio.maxSampleRate()) {
      throw ScreeningException.invalid(SafeWavDecoder.SAMPLE_RATE_UNSUPPORTED, "the clip's sample rate is " + rate
          + " Hz; " + audio.minSampleRate() + " to " + audio.maxSampleRate() + " Hz are accepted");
    }
  }

  /**
   * Refuses a declared length over the duration or decoded-sample limits.
   *
   * @param frames the frames the header declares
   */
  void checkLength(long frames, long rate, int channels) {
    double seconds = (double) frames / rate;
    if (seconds > audio.maxSeconds()) {
      throw ScreeningException.tooLarge(SafeWavDecoder.TOO_LONG, String.format("the clip lasts %.1f s; the limit is %.1f s",
          seconds, audio.maxSeconds()));
    }
    if (frames > maxDecodedSamples / channels) {
      throw ScreeningException.tooLarge(SafeWavDecoder.TOO_LARGE, "the clip decodes to " + frames * channels
          + " samples; the limit is " + maxDecodedSamples);
    }
  }

  /** The most frames a clip of this rate and channel count may decode to. */
  long maxFrames(long rate, int channels) {
    return Math.min((long) Math.floor(audio.maxSeconds() * rate), maxDecodedSamples / channels);
  }
}
