package io.screenmesh.audio;

import com.jcraft.jogg.Packet;
import com.jcraft.jorbis.Block;
import com.jcraft.jorbis.Comment;
import com.jcraft.jorbis.DspState;
import com.jcraft.jorbis.Info;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusException;
import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import io.screenmesh.services.common.ScreeningException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes untrusted Ogg Vorbis (JOrbis, pure Java, LGPL) and Ogg Opus (Concentus, pure Java,
 * BSD-3-Clause) clips. A first walk over the pages ({@link OggPackets}) checks the container and
 * reads the identification and comment headers and the last granule position, and the limits
 * are checked against them before a packet is decoded. The decode then stops at the length the
 * granule position declares, so packets that claim more audio than the header cost nothing.
 * JOrbis never sees the comment header (its parser allocates whatever count a header claims): it
 * gets an empty one, and the comments are read by {@link VorbisComments}; the setup header's
 * codebooks are sized by {@link VorbisSetup} before JOrbis allocates them. Thread-safe.
 *
 * <p>Opus is decoded at 48 kHz, its only rate; only channel mapping family 0 (mono and stereo)
 * is accepted.
 */
final class OggDecoder implements ClipDecoder {

  private static final int OPUS_RATE = 48_000;
  // The longest Opus packet: 120 ms at 48 kHz.
  private static final int OPUS_MAX_FRAME = 5_760;
  private static final byte[] EMPTY_VORBIS_COMMENT = {3, 'v', 'o', 'r', 'b', 'i', 's', 0, 0, 0, 0, 0, 0, 0, 0, 1};

  private final CompressedLimits limits;

  OggDecoder(CompressedLimits limits) {
    this.limits = limits;
  }

  /** The codec of an Ogg stream. */
  enum Codec { VORBIS, OPUS }

  /**
   * What the headers say.
   *
   * @param codec the codec
   * @param sampleRate the decoded rate
   * @param channels channels
   * @param frames the frames the last granule position declares
   * @param preSkip Opus: frames to drop from the start; Vorbis: 0
   * @param gain Opus: the output gain as a factor; Vorbis: 1
   * @param metadata the comments
   */
  record Header(Codec codec, int sampleRate, int channels, long frames, int preSkip, double gain,
      List<SourcedText> metadata) {}

  /**
   * Walks the whole file and checks its headers; nothing is decoded.
   *
   * @throws ScreeningException as {@link ClipDecoder#decode}
   */
  Header readHeader(byte[] d) {
    limits.checkBytes(d);
    List<byte[]> headers = new ArrayList<>(3);
    OggPackets.Summary summary = OggPackets.walk(d, (data, length, index, granule, last) -> {
      if (index < 3) {
        headers.add(data);
      }
      if (index == 0) {
        // Refuse an unsupported or out-of-limit stream before the rest of the file is walked.
        identify(data, List.of());
      }
      return true;
    });
    if (headers.isEmpty()) {
      throw malformed("the Ogg stream holds no packets");
    }
    Header h = identify(headers.getFirst(), headers);
    if (h.codec() == Codec.VORBIS) {
      if (headers.size() < 3 || !startsWith(headers.get(2), 0, "\u0005vorbis")) {
        throw malformed("the Vorbis stream lacks its setup header");
      }
      VorbisSetup.check(headers.get(2));
    }
    if (summary.lastGranule() < 0) {
      throw malformed("the Ogg stream has no granule position, so its length is unknown");
    }
    long frames = summary.lastGranule() - h.preSkip();
    if (frames < 0) {
      throw malformed("the Ogg stream's last granule position is before its pre-skip");
    }
    limits.checkLength(frames, h.sampleRate(), h.channels());
    return new Header(h.codec(), h.sampleRate(), h.channels(), frames, h.preSkip(), h.gain(), h.metadata());
  }

  /** Reads the identification header and, once all are there, the comment header. */
  private Header identify(byte[] id, List<byte[]> headers) {
    List<SourcedText> texts = new ArrayList<>();
    if (startsWith(id, 0, "\u0001vorbis")) {
      if (id.length < 30 || VorbisComments.u32(id, 7) != 0 || (id[29] & 1) == 0) {
        throw malformed("the Vorbis identification header is malformed");
      }
      int channels = id[11] & 0xFF;
      long rate = VorbisComments.u32(id, 12);
      limits.checkFormat("Vorbis", rate, channels);
      if (headers.size() >= 2) {
        byte[] c = headers.get(1);
        if (!startsWith(c, 0, "\u0003vorbis") || !VorbisComments.read(c, 7, c.length - 7, "vorbis", limits.audio(), texts)) {
          throw malformed("the Vorbis comment header is malformed");
        }
      }
      return new Header(Codec.VORBIS, (int) rate, channels, 0, 0, 1, List.copyOf(texts));
    }
    if (startsWith(id, 0, "OpusHead")) {
      if (id.length < 19 || (id[8] & 0xF0) != 0) {
        throw malformed("the Opus identification header is malformed or of an unknown major version");
      }
      int channels = id[9] & 0xFF;
      int preSkip = (id[10] & 0xFF) | ((id[11] & 0xFF) << 8);
      long inputRate = VorbisComments.u32(id, 12);
      int gain = (short) ((id[16] & 0xFF) | ((id[17] & 0xFF) << 8));
      int family = id[18] & 0xFF;
      if (family != 0 || channels > 2) {
        throw ScreeningException.invalid(SafeWavDecoder.FORMAT_UNSUPPORTED, "Opus channel mapping family " + family
            + " with " + channels + " channels is not supported; mono and stereo (family 0) are");
      }
      limits.checkFormat("Opus", OPUS_RATE, channels);
      // The input rate is only informational (Opus always decodes at 48 kHz), but a header that
      // claims a rate outside the limits is refused like any other.
      if (inputRate != 0) {
        limits.checkFormat("Opus", inputRate, channels);
      }
      if (headers.size() >= 2) {
        byte[] c = headers.get(1);
        if (!startsWith(c, 0, "OpusTags") || !VorbisComments.read(c, 8, c.length - 8, "opus", limits.audio(), texts)) {
          throw malformed("the Opus comment header is malformed");
        }
      }
      return new Header(Codec.OPUS, OPUS_RATE, channels, 0, preSkip, Math.pow(10, gain / (20.0 * 256)),
          List.copyOf(texts));
    }
    throw ScreeningException.invalid(SafeWavDecoder.FORMAT_UNSUPPORTED,
        "the Ogg stream is neither Vorbis nor Opus");
  }

  @Override
  public DecodedAudio decode(byte[] data) {
    Header h = readHeader(data);
    MonoSink sink = new MonoSink(h.frames());
    try {
      if (h.codec() == Codec.VORBIS) {
        decodeVorbis(data, h, sink);
      } else {
        decodeOpus(data, h, sink);
      }
    } catch (ScreeningException e) {
      throw e;
    } catch (RuntimeException e) {
      throw malformed("the " + h.codec().name().toLowerCase() + " packets could not be decoded");
    }
    if (sink.size() < h.frames()) {
      throw malformed("the Ogg stream's granule position declares " + h.frames() + " samples but its packets hold "
          + sink.size());
    }
    float[] mono = sink.samples();
    if (h.gain() != 1) {
      for (int i = 0; i < mono.length; i++) {
        mono[i] = (float) (mono[i] * h.gain());
      }
    }
    return new DecodedAudio("ogg", h.codec() == Codec.VORBIS ? "vorbis" : "opus", h.sampleRate(), h.channels(), mono,
        h.metadata());
  }

  private void decodeVorbis(byte[] data, Header h, MonoSink sink) {
    Info info = new Info();
    Comment comment = new Comment();
    info.init();
    comment.init();
    DspState dsp = new DspState();
    Block[] block = new Block[1];
    float[][][] pcm = new float[1][][];
    int[] offsets = new int[h.channels()];
    OggPackets.walk(data, (bytes, length, index, granule, last) -> {
      Packet p = packet(index == 1 ? EMPTY_VORBIS_COMMENT : bytes, index == 1 ? EMPTY_VORBIS_COMMENT.length : length,
          index, granule, last);
      if (index < 3) {
        if (info.synthesis_headerin(comment, p) < 0) {
          throw malformed("the Vorbis headers are malformed");
        }
        if (index == 2) {
          if (info.channels != h.channels() || info.rate != h.sampleRate()) {
            throw malformed("the Vorbis headers disagree with each other");
          }
          dsp.synthesis_init(info);
          block[0] = new Block(dsp);
        }
        return true;
      }
      if (block[0].synthesis(p) == 0) {
        dsp.synthesis_blockin(block[0]);
      }
      int n;
      while (!sink.full() && (n = dsp.synthesis_pcmout(pcm, offsets)) > 0) {
        sink.addPlanar(pcm[0], offsets, h.channels(), n);
        dsp.synthesis_read(n);
      }
      return !sink.full();
    });
  }

  private void decodeOpus(byte[] data, Header h, MonoSink sink) {
    OpusDecoder decoder;
    try {
      decoder = new OpusDecoder(OPUS_RATE, h.channels());
    } catch (OpusException e) {
      throw malformed("the Opus decoder refused the stream's channel count");
    }
    short[] pcm = new short[OPUS_MAX_FRAME * h.channels()];
    int[] skip = {h.preSkip()};
    OggPackets.walk(data, (bytes, length, index, granule, last) -> {
      if (index < 2) {
        return true;
      }
      int n;
      try {
        n = decoder.decode(bytes, 0, length, pcm, 0, OPUS_MAX_FRAME, false);
      } catch (OpusException e) {
        throw malformed("an Opus packet could not be decoded");
      }
      int drop = Math.min(skip[0], n);
      skip[0] -= drop;
      sink.addInterleaved16(pcm, drop * h.channels(), h.channels(), n - drop);
      return !sink.full();
    });
  }

  private static Packet packet(byte[] bytes, int length, long index, long granule, boolean last) {
    Packet p = new Packet();
    p.packet_base = bytes;
    p.packet = 0;
    p.bytes = length;
    p.b_o_s = index == 0 ? 1 : 0;
    p.e_o_s = last ? 1 : 0;
    p.granulepos = granule;
    p.packetno = index;
    return p;
  }

  private static boolean startsWith(byte[] d, int at, String ascii) {
    byte[] b = ascii.getBytes(StandardCharsets.ISO_8859_1);
    if (d.length - at < b.length) {
      return false;
    }
    for (int i = 0; i < b.length; i++) {
      if (d[at + i] != b[i]) {
        return false;
      }
    }
    return true;
  }

  private static ScreeningException malformed(String message) {
    return ScreeningException.invalid(SafeWavDecoder.MALFORMED, message);
  }
}
