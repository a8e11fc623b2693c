package io.screenmesh.audio;

import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import io.screenmesh.services.common.ScreeningException;
import java.io.ByteArrayInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javazoom.jl.decoder.Bitstream;
import javazoom.jl.decoder.Decoder;
import javazoom.jl.decoder.JavaLayerException;
import javazoom.jl.decoder.SampleBuffer;

/**
 * Decodes untrusted MPEG-1/2/2.5 audio (layers I–III, "MP3") clips with JLayer (pure Java,
 * LGPL-2.1). Before any frame is decoded, an ID3v2 tag is skipped (its text frames kept as
 * metadata), a Xing/Info or VBRI header's frame count is checked against the limits, and then
 * every frame header is walked (a few bytes each, frame to frame) to count the frames actually
 * present, which is checked again; JLayer then gets exactly the frames walked and the decode stops
 * at their count. Every frame must share the first one's version, layer and rate; a frame cut
 * short is refused as malformed; a trailing ID3v1 or APE tag is ignored. Free-format bitrates are
 * not accepted. Thread-safe.
 */
final class Mp3Decoder implements ClipDecoder {

  // Kilobits per second by [version is MPEG-1 ? 0 : 1][layer - 1][index].
  private static final int[][][] BITRATES = {
      {{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
          {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
          {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}},
      {{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
          {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
          {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}}};
  private static final int[] RATES_MPEG1 = {44_100, 48_000, 32_000};

  private final CompressedLimits limits;

  Mp3Decoder(CompressedLimits limits) {
    this.limits = limits;
  }

  /**
   * One frame header.
   *
   * @param version 1, 2 or 25 (MPEG-2.5)
   * @param layer 1, 2 or 3
   * @param sampleRate samples per second
   * @param channels 1 or 2
   * @param length the frame's bytes, header included
   * @param samples samples per channel
   */
  record FrameHeader(int version, int layer, int sampleRate, int channels, int length, int samples) {}

  /**
   * What the walk found.
   *
   * @param first the first frame's header
   * @param start where the first frame starts
   * @param end where the last frame ends
   * @param frames the audio frames (not counting a Xing/Info or VBRI header frame)
   * @param tagFrame whether the first frame is such a header frame
   * @param metadata the ID3v2 text frames
   */
  record Header(FrameHeader first, int start, int end, long frames, boolean tagFrame, List<SourcedText> metadata) {}

  /** Whether {@code d} starts with an ID3v2 tag or an MPEG audio frame header. */
  static boolean sniff(byte[] d) {
    if (d.length >= 3 && d[0] == 'I' && d[1] == 'D' && d[2] == '3') {
      return true;
    }
    return frameHeader(d, 0) != null;
  }

  /**
   * Reads the tags and walks the frame headers; nothing is decoded.
   *
   * @throws ScreeningException as {@link ClipDecoder#decode}
   */
  Header readHeader(byte[] d) {
    limits.checkBytes(d);
    List<SourcedText> texts = new ArrayList<>();
    int start = 0;
    if (d.length >= 10 && d[0] == 'I' && d[1] == 'D' && d[2] == '3') {
      start = id3v2(d, texts);
    }
    FrameHeader first = frameHeader(d, start);
    if (first == null) {
      throw ScreeningException.invalid(SafeWavDecoder.FORMAT_UNSUPPORTED,
          "no MPEG audio frame follows the ID3 tag (free-format bitrates are not accepted)");
    }
    limits.checkFormat("MP3", first.sampleRate(), first.channels());
    long claimed = xingFrames(d, start, first);
    if (claimed > 0) {
      limits.checkLength(claimed * first.samples(), first.sampleRate(), first.channels());
    }
    long cap = limits.maxFrames(first.sampleRate(), first.channels()) / first.samples() + 1;
    long frames = 0;
    int p = start;
    while (d.length - p >= 4) {
      FrameHeader f = frameHeader(d, p);
      if (f == null || f.version() != first.version() || f.layer() != first.layer()
          || f.sampleRate() != first.sampleRate()) {
        break;
      }
      if (f.length() > d.length - p) {
        throw malformed("the MP3 frame at byte " + p + " declares " + f.length() + " bytes but only "
            + (d.length - p) + " remain (the file is cut short)");
      }
      p += f.length();
      frames++;
      if (frames > cap) {
        // Enough counted to know the clip is over the limits; the rest need not be walked.
        break;
      }
    }
    if (frames <= cap && !trailer(d, p)) {
      throw malformed("the MP3 frames stop at byte " + p + " and " + (d.length - p) + " bytes of something else follow");
    }
    boolean tagFrame = claimed >= 0;
    long audio = frames - (tagFrame ? 1 : 0);
    if (audio <= 0) {
      throw malformed("the MP3 stream holds no audio frames");
    }
    limits.checkLength(audio * first.samples(), first.sampleRate(), first.channels());
    if (claimed > audio) {
      throw malformed("the MP3's frame-count header declares " + claimed
          + " frames but " + audio + " are present (the file is cut short)");
    }
    return new Header(first, start, p, audio, tagFrame, List.copyOf(texts));
  }

  @Override
  public DecodedAudio decode(byte[] data) {
    Header h = readHeader(data);
    FrameHeader f = h.first();
    MonoSink sink = new MonoSink(h.frames() * f.samples());
    Bitstream stream = new Bitstream(new ByteArrayInputStream(data, h.start(), h.end() - h.start()));
    Decoder decoder = new Decoder();
    long index = 0;
    try {
      javazoom.jl.decoder.Header frame;
      while (!sink.full() && (frame = stream.readFrame()) != null) {
        SampleBuffer out = (SampleBuffer) decoder.decodeFrame(frame, stream);
        stream.closeFrame();
        if (index++ == 0 && h.tagFrame()) {
          continue;
        }
        int channels = out.getChannelCount();
        if (channels != f.channels()) {
          throw malformed("an MP3 frame's channel count differs from the first frame's");
        }
        sink.addInterleaved16(out.getBuffer(), 0, channels, out.getBufferLength() / channels);
      }
    } catch (JavaLayerException | RuntimeException e) {
      if (e instanceof ScreeningException se) {
        throw se;
      }
      throw malformed("the MP3 frames could not be decoded");
    }
    if (sink.size() < h.frames() * f.samples()) {
      throw malformed("the MP3 stream holds " + h.frames() + " frames but only " + sink.size() + " samples decoded");
    }
    return new DecodedAudio("mp3", "mpeg" + (f.version() == 25 ? "2.5" : f.version()) + "_layer" + f.layer(),
        f.sampleRate(), f.channels(), sink.samples(), h.metadata());
  }

  /** The frame header at {@code p}, or null when there is none there. */
  static FrameHeader frameHeader(byte[] d, int p) {
    if (d.length - p < 4 || (d[p] & 0xFF) != 0xFF || (d[p + 1] & 0xE0) != 0xE0) {
      return null;
    }
    int versionBits = (d[p + 1] >> 3) & 3;
    int layerBits = (d[p + 1] >> 1) & 3;
    int bitrateIndex = (d[p + 2] >> 4) & 0xF;
    int rateIndex = (d[p + 2] >> 2) & 3;
    int padding = (d[p + 2] >> 1) & 1;
    int mode = (d[p + 3] >> 6) & 3;
    if (versionBits == 1 || layerBits == 0 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) {
      return null;
    }
    int version = versionBits == 3 ? 1 : versionBits == 2 ? 2 : 25;
    int layer = 4 - layerBits;
    int rate = RATES_MPEG1[rateIndex] / (version == 1 ? 1 : version == 2 ? 2 : 4);
    int bitrate = BITRATES[version == 1 ? 0 : 1][layer - 1][bitrateIndex] * 1000;
    int samples = layer == 1 ? 384 : layer == 2 || version == 1 ? 1152 : 576;
    int length = layer == 1 ? (12 * bitrate / rate + padding) * 4 : samples / 8 * bitrate / rate + padding;
    return new FrameHeader(version, layer, rate, mode == 3 ? 1 : 2, length, samples);
  }

  /** The frame count of a Xing/Info or VBRI header in the first frame; 0 without a count, -1 with no header. */
  private static long xingFrames(byte[] d, int p, FrameHeader f) {
    int side = f.version() == 1 ? (f.channels() == 1 ? 17 : 32) : (f.channels() == 1 ? 9 : 17);
    int x = p + 4 + side;
    if (f.layer() == 3 && x + 12 <= p + f.length() && x + 12 <= d.length
        && (ascii(d, x, "Xing") || ascii(d, x, "Info"))) {
      return (d[x + 7] & 1) != 0 ? be32(d, x + 8) : 0;
    }
    int v = p + 4 + 32;
    if (f.layer() == 3 && v + 18 <= p + f.length() && v + 18 <= d.length && ascii(d, v, "VBRI")) {
      return be32(d, v + 14);
    }
    return -1;
  }

  /** Whether what follows the last frame is nothing, or a tag players ignore. */
  private static boolean trailer(byte[] d, int p) {
    int rest = d.length - p;
    return rest == 0 || rest < 4 && allZero(d, p)
        || ascii(d, p, "TAG") && rest == 128
        || ascii(d, p, "APETAGEX")
        || ascii(d, p, "LYRICS")
        || allZero(d, p);
  }

  private static boolean allZero(byte[] d, int p) {
    for (int i = p; i < d.length; i++) {
      if (d[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Skips an ID3v2 tag, keeping its text frames; returns where the audio starts. */
  private int id3v2(byte[] d, List<SourcedText> texts) {
    int major = d[3] & 0xFF;
    int flags = d[5] & 0xFF;
    long size = syncsafe(d, 6);
    if (size < 0) {
      throw malformed("the ID3v2 tag's size is not sync-safe");
    }
    long end = 10 + size + ((flags & 0x10) != 0 ? 10 : 0);
    if (end > d.length) {
      throw malformed("the ID3v2 tag declares " + size + " bytes but the file is shorter");
    }
    // Text frames of versions 2.3 and 2.4 without unsynchronisation or an extended header; other
    // tags are skipped whole (their text is not screened).
    if ((major == 3 || major == 4) && (flags & 0xC0) == 0) {
      int p = 10;
      int limit = (int) (10 + size);
      while (p + 10 <= limit && d[p] != 0) {
        String id = new String(d, p, 4, StandardCharsets.ISO_8859_1);
        long n = major == 4 ? syncsafe(d, p + 4) : be32(d, p + 4);
        if (n < 0 || n > limit - p - 10) {
          break;
        }
        if ((id.charAt(0) == 'T' || id.equals("COMM") || id.equals("USLT")) && texts.size() < limits.audio().maxTexts()) {
          String text = id3Text(d, p + 10, (int) n, id.charAt(0) != 'T');
          if (!text.isBlank()) {
            if (text.length() > limits.audio().maxTextChars()) {
              text = text.substring(0, limits.audio().maxTextChars());
            }
            texts.add(new SourcedText("id3:" + id.replaceAll("[^A-Z0-9]", "?"), text));
          }
        }
        p += 10 + (int) n;
      }
    }
    return (int) end;
  }

  // Text frames: an encoding byte, then the text; COMM and USLT put a language and a
  // NUL-terminated description before it.
  private static String id3Text(byte[] d, int at, int n, boolean described) {
    if (n < 1) {
      return "";
    }
    int encoding = d[at];
    Charset cs = switch (encoding) {
      case 1 -> StandardCharsets.UTF_16;
      case 2 -> StandardCharsets.UTF_16BE;
      case 3 -> StandardCharsets.UTF_8;
      default -> StandardCharsets.ISO_8859_1;
    };
    String s = new String(d, at + 1, n - 1, cs);
    if (described && s.length() > 3) {
      s = s.substring(3);
      int nul = s.indexOf('\0');
      s = nul >= 0 ? s.substring(nul + 1) : s;
    }
    return s.replace('\0', '\n').strip();
  }

  private static long syncsafe(byte[] d, int p) {
    long v = 0;
    for (int i = 0; i < 4; i++) {
      int b = d[p + i] & 0xFF;
      if (b > 0x7F) {
        return -1;
      }
      v = (v << 7) | b;
    }
    return v;
  }

  private static long be32(byte[] d, int p) {
    return ((d[p] & 0xFFL) << 24) | ((d[p + 1] & 0xFFL) << 16) | ((d[p + 2] & 0xFFL) << 8) | (d[p + 3] & 0xFFL);
  }

  private static boolean ascii(byte[] d, int at, String s) {
    if (d.length - at < s.length()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (d[at + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static ScreeningException malformed(String message) {
    return ScreeningException.invalid(SafeWavDecoder.MALFORMED, message);
  }
}
