package io.screenmesh.audio;

import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import io.screenmesh.services.common.ScreeningException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jflac.ChannelData;
import org.jflac.FLACDecoder;
import org.jflac.FrameListener;
import org.jflac.frame.Frame;
import org.jflac.metadata.Metadata;

/**
 * Decodes untrusted native FLAC clips with jFLAC (pure Java, Apache-2.0). The metadata blocks are
 * walked here, every length checked against the bytes present, and STREAMINFO's sample rate,
 * channels and total samples are checked against the limits before a frame is decoded. jFLAC then
 * sees only STREAMINFO and the frames, so its own metadata parsers (which allocate whatever a
 * PICTURE or VORBIS_COMMENT block claims) never run. Decoding stops at the declared length; a
 * stream that ends early or has frames failing their checks is refused as malformed, at the first
 * failing frame. A decode's work is linear in the input: jFLAC's frame search can spin at the end
 * of the input (see {@link FrameGuard}), and such a stream is refused instead. Thread-safe.
 */
final class FlacDecoder implements ClipDecoder {

  private static final int STREAMINFO = 0;
  private static final int VORBIS_COMMENT = 4;
  private static final int STREAMINFO_LENGTH = 34;
  // A clean decode reads the end of its input once or twice (the frame search, then the header
  // read that ends the stream); jFLAC's retry loop at the end reads it once per round.
  static final int MAX_READS_AT_END = 16;

  private final CompressedLimits limits;

  FlacDecoder(CompressedLimits limits) {
    this.limits = limits;
  }

  /** What STREAMINFO says, and where the frames start. */
  record Header(int sampleRate, int channels, int bitsPerSample, long totalFrames, int maxBlock, int streamInfoAt,
      int framesAt, List<SourcedText> metadata) {}

  /**
   * Reads and checks the metadata blocks; nothing is decoded.
   *
   * @throws ScreeningException as {@link ClipDecoder#decode}
   */
  Header readHeader(byte[] d) {
    limits.checkBytes(d);
    if (d.length < 4 || d[0] != 'f' || d[1] != 'L' || d[2] != 'a' || d[3] != 'C') {
      throw ScreeningException.invalid(SafeWavDecoder.FORMAT_UNSUPPORTED, "the data is not a FLAC stream");
    }
    int p = 4;
    int streamInfo = -1;
    List<SourcedText> texts = new ArrayList<>();
    boolean last = false;
    while (!last) {
      if (p + 4 > d.length) {
        throw malformed("the FLAC metadata ends before its last block");
      }
      last = (d[p] & 0x80) != 0;
      int type = d[p] & 0x7F;
      int length = ((d[p + 1] & 0xFF) << 16) | ((d[p + 2] & 0xFF) << 8) | (d[p + 3] & 0xFF);
      int body = p + 4;
      if (length > d.length - body) {
        throw malformed("a FLAC metadata block declares " + length + " bytes but only " + (d.length - body) + " remain");
      }
      if (streamInfo < 0 && type != STREAMINFO) {
        throw malformed("the FLAC stream does not start with STREAMINFO");
      }
      if (type == STREAMINFO) {
        if (streamInfo >= 0 || length != STREAMINFO_LENGTH) {
          throw malformed("the FLAC stream has a second or mis-sized STREAMINFO");
        }
        streamInfo = body;
      } else if (type == VORBIS_COMMENT && !VorbisComments.read(d, body, length, "flac:VORBIS_COMMENT",
          limits.audio(), texts)) {
        throw malformed("the FLAC VORBIS_COMMENT block runs past its length");
      } else if (type == 127) {
        throw malformed("the FLAC stream has a metadata block of the invalid type 127");
      }
      p = body + length;
    }
    int s = streamInfo;
    int minBlock = ((d[s] & 0xFF) << 8) | (d[s + 1] & 0xFF);
    int maxBlock = ((d[s + 2] & 0xFF) << 8) | (d[s + 3] & 0xFF);
    long packed = 0;
    for (int i = 10; i < 18; i++) {
      packed = (packed << 8) | (d[s + i] & 0xFF);
    }
    int rate = (int) (packed >>> 44);
    int channels = (int) ((packed >>> 41) & 0x7) + 1;
    int bits = (int) ((packed >>> 36) & 0x1F) + 1;
    long total = packed & 0xFFFFFFFFFL;
    if (minBlock < 16 || maxBlock < minBlock) {
      throw malformed("the FLAC STREAMINFO block sizes " + minBlock + " to " + maxBlock + " are invalid");
    }
    if (bits < 4 || bits > 24) {
      throw ScreeningException.invalid(SafeWavDecoder.FORMAT_UNSUPPORTED, "the FLAC stream has " + bits
          + "-bit samples; 4 to 24 are accepted");
    }
    limits.checkFormat("FLAC", rate, channels);
    if (total > 0) {
      limits.checkLength(total, rate, channels);
    }
    return new Header(rate, channels, bits, total, maxBlock, s, p, List.copyOf(texts));
  }

  @Override
  public DecodedAudio decode(byte[] data) {
    Header h = readHeader(data);
    // jFLAC reads "fLaC", STREAMINFO (marked last) and the frames; nothing else of the input.
    byte[] stream = new byte[8 + STREAMINFO_LENGTH + data.length - h.framesAt()];
    stream[0] = 'f';
    stream[1] = 'L';
    stream[2] = 'a';
    stream[3] = 'C';
    stream[4] = (byte) 0x80;
    stream[7] = STREAMINFO_LENGTH;
    System.arraycopy(data, h.streamInfoAt(), stream, 8, STREAMINFO_LENGTH);
    System.arraycopy(data, h.framesAt(), stream, 8 + STREAMINFO_LENGTH, data.length - h.framesAt());
    long cap = h.totalFrames() > 0 ? h.totalFrames() : limits.maxFrames(h.sampleRate(), h.channels());
    MonoSink sink = new MonoSink(cap);
    FLACDecoder decoder = new FLACDecoder(new EndGuard(stream));
    decoder.addFrameListener(new FrameGuard(decoder));
    try {
      decoder.readMetadata();
      Frame frame;
      while (!sink.full() && (frame = decoder.readNextFrame()) != null) {
        if (frame.header.channels != h.channels() || frame.header.bitsPerSample != h.bitsPerSample()) {
          throw malformed("a FLAC frame's channels or sample size differ from STREAMINFO");
        }
        if (frame.header.blockSize > h.maxBlock()) {
          throw malformed("a FLAC frame holds " + frame.header.blockSize + " samples; STREAMINFO allows at most "
              + h.maxBlock());
        }
        ChannelData[] channels = decoder.getChannelData();
        int[][] planes = new int[h.channels()][];
        for (int c = 0; c < planes.length; c++) {
          planes[c] = channels[c].getOutput();
        }
        sink.addPlanarInt(planes, h.channels(), frame.header.blockSize, h.bitsPerSample());
      }
      if (h.totalFrames() == 0 && sink.full() && decoder.readNextFrame() != null) {
        // No declared length: the limits ended the decode, so the clip is longer than they allow.
        limits.checkLength(cap + 1, h.sampleRate(), h.channels());
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ScreeningException se) {
        throw se;
      }
      throw malformed("the FLAC frames could not be decoded");
    }
    if (decoder.getBadFrames() > 0) {
      throw malformed(decoder.getBadFrames() + " FLAC frames failed their checks");
    }
    if (h.totalFrames() > 0 && sink.size() < h.totalFrames()) {
      throw malformed("the FLAC stream declares " + h.totalFrames() + " samples but holds " + sink.size());
    }
    return new DecodedAudio("flac", "flac_s" + h.bitsPerSample(), h.sampleRate(), h.channels(), sink.samples(),
        h.metadata());
  }

  /**
   * Ends a decode at the first frame that fails its checks. jFLAC's {@code readNextFrame} retries
   * until a frame decodes or the input ends, and this hook is the only place it hands back control
   * inside that loop. A stream with a failed frame is refused anyway, so going on only costs time;
   * and the loop need not end: at the end of the input the frame search returns without reading,
   * and a sync code left from an earlier try whose second byte fails the header check (0xFF 0xFB)
   * is rejected again without reading, forever (an 8 KB fuzzing input spun over 10 s so).
   */
  private static final class FrameGuard implements FrameListener {
    private final FLACDecoder decoder;

    FrameGuard(FLACDecoder decoder) {
      this.decoder = decoder;
    }

    @Override
    public void processMetadata(Metadata metadata) {}

    @Override
    public void processFrame(Frame frame) {}

    @Override
    public void processError(String message) {
      // Lost sync alone (bytes between frames) is reported before any frame fails; a report after
      // a failed frame means jFLAC is retrying.
      if (decoder.getBadFrames() > 0) {
        throw malformed("a FLAC frame failed its checks (" + message + ")");
      }
    }
  }

  /**
   * The stripped stream, refusing the decode once jFLAC keeps reading past its end: whatever
   * failure makes jFLAC retry there without consuming input, no more can come of it. Thrown from
   * {@code read}, the refusal passes through jFLAC, which catches only {@code EOFException}.
   */
  static final class EndGuard extends ByteArrayInputStream {
    private int readsAtEnd;

    EndGuard(byte[] stream) {
      super(stream);
    }

    @Override
    public synchronized int read() {
      int b = super.read();
      return b < 0 ? atEnd() : b;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      int n = super.read(b, off, len);
      return n < 0 ? atEnd() : n;
    }

    private int atEnd() {
      if (++readsAtEnd > MAX_READS_AT_END) {
        throw malformed("the FLAC decoder made no progress at the end of the stream");
      }
      return -1;
    }
  }

  private static ScreeningException malformed(String message) {
    return ScreeningException.invalid(SafeWavDecoder.MALFORMED, message);
  }
}
