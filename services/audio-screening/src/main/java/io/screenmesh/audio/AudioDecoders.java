package io.screenmesh.audio;

import io.screenmesh.services.common.ScreeningException;

/**
 * Picks a clip's decoder from its first bytes, never from what the caller says it is: RIFF/RF64
 * → {@link SafeWavDecoder} (unchanged), {@code fLaC} → {@link FlacDecoder}, {@code OggS} →
 * {@link OggDecoder} (Vorbis or Opus), an ID3v2 tag or an MPEG audio frame header →
 * {@link Mp3Decoder}. Each checks its header against the same limits before decoding; anything
 * else is refused as {@value SafeWavDecoder#FORMAT_UNSUPPORTED}. Thread-safe.
 */
public final class AudioDecoders implements ClipDecoder {

  private final CompressedLimits limits;
  private final SafeWavDecoder wav;
  private final FlacDecoder flac;
  private final OggDecoder ogg;
  private final Mp3Decoder mp3;

  /**
   * Creates the decoders.
   *
   * @param limits the limits every format is checked against
   * @param maxDecodedSamples the most samples (frames × channels) a compressed clip may decode to
   */
  public AudioDecoders(AudioLimits limits, long maxDecodedSamples) {
    this.limits = new CompressedLimits(limits, maxDecodedSamples);
    this.wav = new SafeWavDecoder(limits);
    this.flac = new FlacDecoder(this.limits);
    this.ogg = new OggDecoder(this.limits);
    this.mp3 = new Mp3Decoder(this.limits);
  }

  /** The formats accepted, for messages and documentation. */
  public static final String FORMATS = "WAV, FLAC, Ogg Vorbis, Ogg Opus or MP3";

  /**
   * Decodes {@code data} with the decoder its first bytes name.
   *
   * @throws ScreeningException INVALID_ARGUMENT or RESOURCE_EXHAUSTED with the reasons of
   *     {@link SafeWavDecoder}
   */
  @Override
  public DecodedAudio decode(byte[] data) {
    return of(data).decode(data);
  }

  /** The decoder for {@code data}. */
  ClipDecoder of(byte[] data) {
    if (starts(data, "RIFF") || starts(data, "RF64")) {
      return wav;
    }
    limits.checkBytes(data);
    if (starts(data, "fLaC")) {
      return flac;
    }
    if (starts(data, "OggS")) {
      return ogg;
    }
    if (Mp3Decoder.sniff(data)) {
      return mp3;
    }
    throw ScreeningException.invalid(SafeWavDecoder.FORMAT_UNSUPPORTED, "the data is not a " + FORMATS + " clip");
  }

  private static boolean starts(byte[] d, String ascii) {
    if (d.length < ascii.length()) {
      return false;
    }
    for (int i = 0; i < ascii.length(); i++) {
      if (d[i] != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
