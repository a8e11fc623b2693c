package io.screenmesh.audio;

import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import java.util.List;

/**
 * A decoded clip, downmixed to mono.
 *
 * @param format the container: "wav", "flac", "ogg" or "mp3"
 * @param encoding the sample encoding ("pcm_s16le", "pcm_u8", "pcm_s24le", "pcm_s32le",
 *     "float32", "float64"; "flac_s16" and the like, "vorbis", "opus", "mp3")
 * @param sampleRate samples per second
 * @param channels channels in the original
 * @param mono the mean of the channels per frame, nominally in [-1, 1] (float input may exceed
 *     it; NaN and infinities are read as 0)
 * @param metadata the clip's metadata text: a WAV's LIST/INFO chunks ({@code riff:INFO:<id>}),
 *     Vorbis comments ({@code flac:VORBIS_COMMENT:<field>}, {@code vorbis:<field>},
 *     {@code opus:<field>}) or ID3v2 text frames ({@code id3:<frame>})
 */
public record DecodedAudio(String format, String encoding, int sampleRate, int channels, float[] mono,
    List<SourcedText> metadata) {

  /** A decoded WAV clip. */
  public DecodedAudio(String encoding, int sampleRate, int channels, float[] mono, List<SourcedText> metadata) {
    this("wav", encoding, sampleRate, channels, mono, metadata);
  }

  /** The duration in seconds. */
  public double seconds() {
    return (double) mono.length / sampleRate;
  }
}
