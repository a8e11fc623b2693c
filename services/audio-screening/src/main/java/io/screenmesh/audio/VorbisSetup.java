package io.screenmesh.audio;

import io.screenmesh.services.common.ScreeningException;

/**
 * Walks the codebooks of a Vorbis setup header before JOrbis unpacks it. JOrbis allocates each
 * codebook's tables at the size the header declares, and a codebook in "ordered" form can declare
 * 16 million entries in a few bytes, 256 times over: a small file could take gigabytes before a
 * sample is decoded. Real encoders stay far below the caps here (libvorbis's largest books hold
 * a few thousand entries).
 */
final class VorbisSetup {

  /** The most codebook entries, summed over the codebooks. */
  static final long MAX_ENTRIES = 1 << 20;
  /** The most vector-quantization values, summed over the codebooks. */
  static final long MAX_LOOKUP_VALUES = 1 << 20;

  private final byte[] d;
  private long bit;
  private final long end;

  private VorbisSetup(byte[] setup) {
    this.d = setup;
    this.bit = 7L * 8;
    this.end = 8L * setup.length;
  }

  /**
   * Checks the codebooks of {@code setup} (the whole packet, "\5vorbis" included).
   *
   * @throws ScreeningException INVALID_ARGUMENT ({@value SafeWavDecoder#MALFORMED}) or
   *     RESOURCE_EXHAUSTED ({@value SafeWavDecoder#TOO_LARGE}) for codebooks over the caps
   */
  static void check(byte[] setup) {
    new VorbisSetup(setup).codebooks();
  }

  private void codebooks() {
    int books = (int) read(8) + 1;
    long entriesTotal = 0;
    long valuesTotal = 0;
    for (int b = 0; b < books; b++) {
      if (read(24) != 0x564342) {
        throw malformed("a Vorbis codebook lacks its sync pattern");
      }
      int dimensions = (int) read(16);
      long entries = read(24);
      entriesTotal += entries;
      if (entriesTotal > MAX_ENTRIES) {
        throw ScreeningException.tooLarge(SafeWavDecoder.TOO_LARGE, "the Vorbis setup header declares over "
            + MAX_ENTRIES + " codebook entries");
      }
      if (read(1) == 1) {
        read(5);
        long current = 0;
        while (current < entries) {
          current += read(ilog(entries - current));
        }
        if (current > entries) {
          throw malformed("a Vorbis codebook's lengths overrun its entries");
        }
      } else {
        boolean sparse = read(1) == 1;
        for (long i = 0; i < entries; i++) {
          if (!sparse || read(1) == 1) {
            read(5);
          }
        }
      }
      int lookup = (int) read(4);
      if (lookup == 1 || lookup == 2) {
        read(32);
        read(32);
        int bits = (int) read(4) + 1;
        read(1);
        long values = lookup == 1 ? lookup1(entries, dimensions) : entries * dimensions;
        valuesTotal += values;
        if (valuesTotal > MAX_LOOKUP_VALUES) {
          throw ScreeningException.tooLarge(SafeWavDecoder.TOO_LARGE, "the Vorbis setup header declares over "
              + MAX_LOOKUP_VALUES + " codebook values");
        }
        skip(values * bits);
      } else if (lookup != 0) {
        throw malformed("a Vorbis codebook has the unknown lookup type " + lookup);
      }
    }
  }

  // The largest r with r^dimensions <= entries (the Vorbis I specification's lookup1_values).
  private static long lookup1(long entries, int dimensions) {
    if (dimensions == 0) {
      throw malformed("a Vorbis codebook has no dimensions");
    }
    long r = (long) Math.floor(Math.pow(entries, 1.0 / dimensions));
    while (r > 0 && Math.pow(r, dimensions) > entries) {
      r--;
    }
    while (Math.pow(r + 1, dimensions) <= entries) {
      r++;
    }
    return r;
  }

  private static int ilog(long v) {
    return 64 - Long.numberOfLeadingZeros(v);
  }

  private void skip(long bits) {
    if (bits > end - bit) {
      throw malformed("the Vorbis setup header ends inside a codebook");
    }
    bit += bits;
  }

  // Vorbis packs values least significant bit first.
  private long read(int bits) {
    if (bits > end - bit) {
      throw malformed("the Vorbis setup header ends inside a codebook");
    }
    long v = 0;
    for (int i = 0; i < bits; i++, bit++) {
      v |= (long) ((d[(int) (bit >>> 3)] >>> (bit & 7)) & 1) << i;
    }
    return v;
  }

  private static ScreeningException malformed(String message) {
    return ScreeningException.invalid(SafeWavDecoder.MALFORMED, message);
  }
}
