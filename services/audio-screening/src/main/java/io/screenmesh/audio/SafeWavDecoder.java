package io.screenmesh.audio;

import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import io.screenmesh.services.common.ScreeningException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes untrusted WAV (RIFF/WAVE and RF64) clips under limits: PCM 8/16/24/32-bit and IEEE
 * float 32/64, plain or WAVE_FORMAT_EXTENSIBLE. Every chunk size is checked against the bytes
 * actually present, and the byte, duration, sample-rate and channel limits are checked from the
 * header before a sample is decoded. Thread-safe.
 */
public final class SafeWavDecoder implements ClipDecoder {

  /** The reason for an empty request. */
  public static final String EMPTY = "AUDIO_EMPTY";
  /** The reason for data over the byte limit. */
  public static final String TOO_LARGE = "AUDIO_TOO_LARGE";
  /** The reason for a clip longer than the duration limit. */
  public static final String TOO_LONG = "AUDIO_TOO_LONG";
  /** The reason for data that is not a WAV of a supported encoding. */
  public static final String FORMAT_UNSUPPORTED = "AUDIO_FORMAT_UNSUPPORTED";
  /** The reason for a sample rate outside the accepted range. */
  public static final String SAMPLE_RATE_UNSUPPORTED = "AUDIO_SAMPLE_RATE_UNSUPPORTED";
  /** The reason for a channel count outside the accepted range. */
  public static final String CHANNELS_UNSUPPORTED = "AUDIO_CHANNELS_UNSUPPORTED";
  /** The reason for a truncated or inconsistent file. */
  public static final String MALFORMED = "AUDIO_MALFORMED";

  private static final int WAVE_FORMAT_PCM = 1;
  private static final int WAVE_FORMAT_IEEE_FLOAT = 3;
  private static final int WAVE_FORMAT_EXTENSIBLE = 0xFFFE;
  /** The tail shared by the KSDATAFORMAT_SUBTYPE GUIDs after their 2-byte format tag. */
  private static final byte[] SUBTYPE_TAIL = {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71};

  private final AudioLimits limits;

  /** Creates a decoder enforcing {@code limits}. */
  public SafeWavDecoder(AudioLimits limits) {
    this.limits = limits;
  }

  /**
   * What the header says, checked against the limits; nothing is decoded yet.
   *
   * @param encoding the sample encoding name
   * @param sampleRate samples per second
   * @param channels channels
   * @param bytesPerSample bytes per sample of one channel
   * @param floating IEEE float samples
   * @param dataOffset where the samples start
   * @param frames the number of whole frames present
   * @param metadata the LIST/INFO texts
   */
  public record Header(String encoding, int sampleRate, int channels, int bytesPerSample, boolean floating,
      int dataOffset, long frames, List<SourcedText> metadata) {

    /** The duration in seconds. */
    public double seconds() {
      return (double) frames / sampleRate;
    }
  }

  /**
   * Reads and checks the header of {@code data}.
   *
   * @throws ScreeningException INVALID_ARGUMENT ({@value #EMPTY}, {@value #FORMAT_UNSUPPORTED},
   *     {@value #SAMPLE_RATE_UNSUPPORTED}, {@value #CHANNELS_UNSUPPORTED}, {@value #MALFORMED}) or
   *     RESOURCE_EXHAUSTED ({@value #TOO_LARGE}, {@value #TOO_LONG})
   */
  public Header readHeader(byte[] data) {
    if (data.length == 0) {
      throw ScreeningException.invalid(EMPTY, "the clip is empty");
    }
    if (data.length > limits.maxBytes()) {
      throw ScreeningException.tooLarge(TOO_LARGE, "the clip has " + data.length + " bytes; the limit is " + limits.maxBytes());
    }
    boolean rf64 = startsWith(data, 0, "RF64");
    if (data.length < 12 || !(startsWith(data, 0, "RIFF") || rf64) || !startsWith(data, 8, "WAVE")) {
      throw ScreeningException.invalid(FORMAT_UNSUPPORTED, "the data is not a WAV (RIFF/WAVE) clip");
    }
    long end = data.length;
    if (!rf64) {
      long riffEnd = 8 + u32(data, 4);
      if (riffEnd > data.length) {
        throw malformed("the RIFF header declares " + riffEnd + " bytes but " + data.length + " arrived");
      }
      end = riffEnd;
    }
    long ds64Data = -1;
    int fmtAt = -1;
    int fmtSize = 0;
    long dataAt = -1;
    long dataSize = 0;
    List<SourcedText> texts = new ArrayList<>();
    long pos = 12;
    while (pos + 8 <= end) {
      String id = new String(data, (int) pos, 4, StandardCharsets.ISO_8859_1);
      long size = u32(data, (int) pos + 4);
      long body = pos + 8;
      if (rf64 && id.equals("data") && size == 0xFFFFFFFFL) {
        if (ds64Data < 0) {
          throw malformed("the RF64 clip has no ds64 chunk before its data");
        }
        size = ds64Data;
      }
      if (size > end - body) {
        throw malformed("the '" + printable(id) + "' chunk declares " + size + " bytes but only " + (end - body) + " remain");
      }
      switch (id) {
        case "ds64" -> {
          if (!rf64 || size < 24) {
            throw malformed("a ds64 chunk outside an RF64 clip, or too short");
          }
          ds64Data = u64(data, (int) body + 8);
        }
        case "fmt " -> {
          fmtAt = (int) body;
          fmtSize = (int) size;
        }
        case "data" -> {
          dataAt = body;
          dataSize = size;
        }
        case "LIST" -> info(data, (int) body, (int) size, texts);
        default -> { }
      }
      // Chunks are padded to an even size; a missing pad byte after the last chunk is tolerated.
      pos = body + size + (size & 1);
    }
    if (fmtAt < 0) {
      throw malformed("the clip has no fmt chunk");
    }
    if (dataAt < 0) {
      throw malformed("the clip has no data chunk");
    }
    return checkFormat(data, fmtAt, fmtSize, (int) dataAt, dataSize, texts);
  }

  private Header checkFormat(byte[] d, int at, int size, int dataAt, long dataSize, List<SourcedText> texts) {
    if (size < 16) {
      throw malformed("the fmt chunk is too short");
    }
    int tag = u16(d, at);
    int channels = u16(d, at + 2);
    long rate = u32(d, at + 4);
    int blockAlign = u16(d, at + 12);
    int bits = u16(d, at + 14);
    if (tag == WAVE_FORMAT_EXTENSIBLE) {
      if (size < 40 || u16(d, at + 16) < 22) {
        throw malformed("the extensible fmt chunk is too short");
      }
      for (int i = 0; i < SUBTYPE_TAIL.length; i++) {
        if (d[at + 26 + i] != SUBTYPE_TAIL[i]) {
          throw ScreeningException.invalid(FORMAT_UNSUPPORTED, "the clip's sub-format is not PCM or IEEE float");
        }
      }
      tag = u16(d, at + 24);
    }
    boolean floating = tag == WAVE_FORMAT_IEEE_FLOAT;
    String encoding = switch (tag) {
      case WAVE_FORMAT_PCM -> switch (bits) {
        case 8 -> "pcm_u8";
        case 16 -> "pcm_s16le";
        case 24 -> "pcm_s24le";
        case 32 -> "pcm_s32le";
        default -> null;
      };
      case WAVE_FORMAT_IEEE_FLOAT -> bits == 32 ? "float32" : bits == 64 ? "float64" : null;
      default -> null;
    };
    if (encoding == null) {
      throw ScreeningException.invalid(FORMAT_UNSUPPORTED, "the clip's encoding (format tag " + tag + ", "
          + bits + " bits) is not PCM 8/16/24/32-bit or IEEE float 32/64-bit");
    }
    if (channels < 1) {
      throw malformed("the clip declares no channels");
    }
    if (channels > limits.maxChannels()) {
      throw ScreeningException.invalid(CHANNELS_UNSUPPORTED, "the clip has " + channels + " channels; at most "
          + limits.maxChannels() + " are accepted");
    }
    if (rate < limits.minSampleRate() || rate > limits.maxSampleRate()) {
      throw ScreeningException.invalid(SAMPLE_RATE_UNSUPPORTED, "the clip's sample rate is " + rate + " Hz; "
          + limits.minSampleRate() + " to " + limits.maxSampleRate() + " Hz are accepted");
    }
    int bytesPerSample = bits / 8;
    if (blockAlign != channels * bytesPerSample) {
      throw malformed("the clip's block align " + blockAlign + " differs from " + channels + " channels × " + bits + " bits");
    }
    long frames = dataSize / blockAlign;
    double seconds = (double) frames / rate;
    if (seconds > limits.maxSeconds()) {
      throw ScreeningException.tooLarge(TOO_LONG, String.format("the clip lasts %.1f s; the limit is %.1f s",
          seconds, limits.maxSeconds()));
    }
    return new Header(encoding, (int) rate, channels, bytesPerSample, floating, dataAt, frames, List.copyOf(texts));
  }

  /**
   * Decodes {@code data} after {@link #readHeader(byte[])} passes, downmixing to mono.
   *
   * @throws ScreeningException as {@link #readHeader(byte[])}
   */
  @Override
  public DecodedAudio decode(byte[] data) {
    Header h = readHeader(data);
    float[] mono = new float[(int) h.frames()];
    int channels = h.channels();
    int bps = h.bytesPerSample();
    int p = h.dataOffset();
    for (int f = 0; f < mono.length; f++) {
      double sum = 0;
      for (int c = 0; c < channels; c++) {
        sum += sample(data, p, bps, h.floating());
        p += bps;
      }
      mono[f] = (float) (sum / channels);
    }
    return new DecodedAudio(h.encoding(), h.sampleRate(), channels, mono, h.metadata());
  }

  private static double sample(byte[] d, int p, int bps, boolean floating) {
    if (floating) {
      double v = bps == 4 ? Float.intBitsToFloat((int) u32(d, p)) : Double.longBitsToDouble(u64(d, p));
      return Double.isFinite(v) ? v : 0.0;
    }
    return switch (bps) {
      case 1 -> ((d[p] & 0xFF) - 128) / 128.0;
      case 2 -> (short) u16(d, p) / 32768.0;
      case 3 -> (((d[p] & 0xFF) | ((d[p + 1] & 0xFF) << 8) | (d[p + 2] << 16))) / 8388608.0;
      default -> (int) u32(d, p) / 2147483648.0;
    };
  }

  // LIST chunks of type INFO hold sub-chunks of NUL-terminated text: INAM (title), ICMT
  // (comment), IART (artist), ISFT (software) and others.
  private void info(byte[] d, int at, int size, List<SourcedText> texts) {
    if (size < 4 || !startsWith(d, at, "INFO")) {
      return;
    }
    int end = at + size;
    int p = at + 4;
    while (p + 8 <= end) {
      String id = printable(new String(d, p, 4, StandardCharsets.ISO_8859_1));
      long n = u32(d, p + 4);
      if (n > end - p - 8) {
        throw malformed("an INFO entry runs past the end of its LIST chunk");
      }
      String text = decodeText(d, p + 8, (int) n);
      if (!text.isBlank() && texts.size() < limits.maxTexts()) {
        if (text.length() > limits.maxTextChars()) {
          text = text.substring(0, limits.maxTextChars());
        }
        texts.add(new SourcedText("riff:INFO:" + id, text));
      }
      p += 8 + (int) n + (int) (n & 1);
    }
  }

  private static String decodeText(byte[] d, int off, int len) {
    var decoder = StandardCharsets.UTF_8.newDecoder();
    String s;
    try {
      s = decoder.decode(java.nio.ByteBuffer.wrap(d, off, len)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      s = new String(d, off, len, StandardCharsets.ISO_8859_1);
    }
    int cut = s.length();
    while (cut > 0 && s.charAt(cut - 1) == '\0') {
      cut--;
    }
    return s.substring(0, cut).replace('\0', '\n').strip();
  }

  private static ScreeningException malformed(String message) {
    return ScreeningException.invalid(MALFORMED, message);
  }

  private static String printable(String id) {
    StringBuilder sb = new StringBuilder(4);
    for (char c : id.toCharArray()) {
      sb.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return sb.toString();
  }

  private static boolean startsWith(byte[] d, int at, String ascii) {
    if (at + ascii.length() > d.length) {
      return false;
    }
    for (int i = 0; i < ascii.length(); i++) {
      if (d[at + i] != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int u16(byte[] d, int p) {
    return (d[p] & 0xFF) | ((d[p + 1] & 0xFF) << 8);
  }

  private static long u32(byte[] d, int p) {
    return (d[p] & 0xFFL) | ((d[p + 1] & 0xFFL) << 8) | ((d[p + 2] & 0xFFL) << 16) | ((d[p + 3] & 0xFFL) << 24);
  }

  private static long u64(byte[] d, int p) {
    return u32(d, p) | (u32(d, p + 4) << 32);
  }
}
