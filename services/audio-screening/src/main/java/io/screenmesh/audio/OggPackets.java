package io.screenmesh.audio;

import io.screenmesh.services.common.ScreeningException;
import java.io.ByteArrayOutputStream;

/**
 * Walks the pages of one Ogg logical stream (RFC 3533) and hands its packets to a visitor, in
 * order, without keeping them: memory stays at one packet, however many the pages hold. The
 * first walk checks everything: each page's capture pattern, version, length against the bytes
 * present, CRC and sequence number, that every page belongs to the first stream (a multiplexed or
 * chained file could carry a second stream that some players play and this service would not
 * screen, so it is refused) and that continued packets continue.
 */
final class OggPackets {

  /** Receives packets; return false to stop the walk. */
  interface Visitor {
    /**
     * One packet.
     *
     * @param data the packet's bytes, valid only during the call
     * @param length its length
     * @param index its number in the stream, from 0
     * @param granule the page's granule position when this packet is the last to end on it, else -1
     * @param last whether it is the last packet of the stream
     */
    boolean packet(byte[] data, int length, long index, long granule, boolean last);
  }

  /** What a full walk found. */
  record Summary(long packets, long lastGranule) {}

  private static final int[] CRC = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int r = i << 24;
      for (int k = 0; k < 8; k++) {
        r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
      }
      CRC[i] = r;
    }
  }

  private OggPackets() {}

  /**
   * Walks {@code d}'s pages, giving each complete, non-empty packet to {@code visitor}.
   *
   * @throws ScreeningException INVALID_ARGUMENT ({@value SafeWavDecoder#MALFORMED},
   *     {@value SafeWavDecoder#FORMAT_UNSUPPORTED} for a multiplexed or chained file)
   */
  static Summary walk(byte[] d, Visitor visitor) {
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    boolean open = false;
    long serial = -1;
    long sequence = -1;
    long packets = 0;
    long lastGranule = -1;
    boolean ended = false;
    int pos = 0;
    while (pos < d.length) {
      if (d.length - pos < 27) {
        throw malformed("the Ogg page at byte " + pos + " is cut short");
      }
      if (d[pos] != 'O' || d[pos + 1] != 'g' || d[pos + 2] != 'g' || d[pos + 3] != 'S' || d[pos + 4] != 0) {
        throw malformed("there is no Ogg page at byte " + pos);
      }
      int type = d[pos + 5] & 0xFF;
      long granule = VorbisComments.u32(d, pos + 6) | (VorbisComments.u32(d, pos + 10) << 32);
      long pageSerial = VorbisComments.u32(d, pos + 14);
      long pageSequence = VorbisComments.u32(d, pos + 18);
      int segments = d[pos + 26] & 0xFF;
      int header = 27 + segments;
      if (d.length - pos < header) {
        throw malformed("the Ogg page at byte " + pos + " is cut short");
      }
      int body = 0;
      for (int i = 0; i < segments; i++) {
        body += d[pos + 27 + i] & 0xFF;
      }
      if (d.length - pos - header < body) {
        throw malformed("the Ogg page at byte " + pos + " declares " + body + " bytes but only "
            + (d.length - pos - header) + " remain");
      }
      if (crc(d, pos, header + body) != (int) VorbisComments.u32(d, pos + 22)) {
        throw malformed("the Ogg page at byte " + pos + " fails its checksum");
      }
      if (serial < 0) {
        if ((type & 0x02) == 0) {
          throw malformed("the first Ogg page does not begin a stream");
        }
        serial = pageSerial;
      } else if (pageSerial != serial || (type & 0x02) != 0) {
        throw ScreeningException.invalid(SafeWavDecoder.FORMAT_UNSUPPORTED,
            "the Ogg file holds more than one stream (multiplexed or chained); one audio stream is accepted");
      }
      if (ended) {
        throw malformed("the Ogg stream has pages after its end-of-stream page");
      }
      if (pageSequence != sequence + 1) {
        throw malformed("the Ogg page at byte " + pos + " is out of sequence (a page is missing)");
      }
      sequence = pageSequence;
      if (((type & 0x01) != 0) != open) {
        throw malformed("the Ogg page at byte " + pos + " does not continue the packet before it as flagged");
      }
      ended = (type & 0x04) != 0;
      // The index of the last segment that ends a packet: that packet takes the page's granule.
      int lastEnd = -1;
      for (int i = 0; i < segments; i++) {
        if ((d[pos + 27 + i] & 0xFF) < 255) {
          lastEnd = i;
        }
      }
      int at = pos + header;
      for (int i = 0; i < segments; i++) {
        int lace = d[pos + 27 + i] & 0xFF;
        packet.write(d, at, lace);
        at += lace;
        open = lace == 255;
        if (!open) {
          if (packet.size() > 0) {
            boolean last = ended && i == lastEnd;
            if (!visitor.packet(packet.toByteArray(), packet.size(), packets, i == lastEnd ? granule : -1, last)) {
              return new Summary(packets + 1, lastGranule);
            }
            packets++;
          }
          packet.reset();
        }
      }
      if (granule != -1 && lastEnd >= 0) {
        lastGranule = granule;
      }
      pos += header + body;
    }
    if (open) {
      throw malformed("the Ogg stream ends inside a packet");
    }
    if (!ended) {
      throw malformed("the Ogg stream ends without its end-of-stream page (the file is cut short)");
    }
    return new Summary(packets, lastGranule);
  }

  /** The page checksum of {@code d[at, at + length)}, its own field read as zeros. */
  static int crc(byte[] d, int at, int length) {
    int r = 0;
    for (int i = 0; i < length; i++) {
      // The checksum field itself counts as zeros.
      int b = i >= 22 && i < 26 ? 0 : d[at + i] & 0xFF;
      r = (r << 8) ^ CRC[((r >>> 24) ^ b) & 0xFF];
    }
    return r;
  }

  private static ScreeningException malformed(String message) {
    return ScreeningException.invalid(SafeWavDecoder.MALFORMED, message);
  }
}
