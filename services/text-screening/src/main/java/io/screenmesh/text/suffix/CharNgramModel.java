package io.screenmesh.text.suffix;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A character n-gram language model (order {@value #ORDER}, Witten-Bell interpolation down to an
 * add-one unigram) over a 128-symbol alphabet: ASCII printable characters (letters lower-cased), every
 * digit as {@code 0}, every whitespace as a space, every other character as one "foreign"
 * symbol. It gives each character of a text its surprise in bits; text like the text it was
 * trained on scores 2–3 bits a character, token soup far more. Counts are exact (keys packed
 * into a {@code long}, seven bits a symbol), so a model file holds no hash collisions.
 * Immutable and thread-safe once built.
 */
public final class CharNgramModel {

  /** Longest n-gram: four characters of context. */
  public static final int ORDER = 5;
  private static final int MAGIC = 0x53474e32; // "SGN2"
  private static final int FOREIGN = 1;
  private static final int START = 2;
  private static final int SYMBOLS = 128;

  // counts[k]: n-grams of length k+1; contexts[k]: for n-grams of length k+2, their context's total and
  // distinct continuations (for Witten-Bell).
  private final LongIntMap[] counts;
  private final LongIntMap[] contextTotals;
  private final LongIntMap[] contextTypes;
  private final long unigramTotal;
  private final float threshold;
  private final float suffixThreshold;

  private CharNgramModel(LongIntMap[] counts, float threshold, float suffixThreshold) {
    this.counts = counts;
    this.threshold = threshold;
    this.suffixThreshold = suffixThreshold;
    this.contextTotals = new LongIntMap[ORDER];
    this.contextTypes = new LongIntMap[ORDER];
    long total = 0;
    for (int k = 0; k < ORDER; k++) {
      contextTotals[k] = new LongIntMap(Math.max(16, counts[k].size()));
      contextTypes[k] = new LongIntMap(Math.max(16, counts[k].size()));
    }
    for (int k = 0; k < ORDER; k++) {
      LongIntMap m = counts[k];
      for (int slot = 0; slot < m.capacity(); slot++) {
        if (!m.used(slot)) {
          continue;
        }
        long key = m.keyAt(slot);
        int c = m.valueAt(slot);
        if (k == 0) {
          total += c;
        } else {
          long ctx = key >>> 7; // drop the last symbol
          contextTotals[k].add(ctx, c);
          contextTypes[k].add(ctx, 1);
        }
      }
    }
    this.unigramTotal = total;
  }

  /** The symbol of {@code c}. */
  public static int symbol(char c) {
    if (c >= '0' && c <= '9') {
      return '0';
    }
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0x0B) {
      return ' ';
    }
    if (c >= 'A' && c <= 'Z') {
      return c + 32; // headings and acronyms in capitals are not gibberish; case adds little here
    }
    if (c > ' ' && c < 127) {
      return c;
    }
    if (c < 0x80) {
      return ' '; // other controls read as a break
    }
    return Character.isWhitespace(c) || Character.isSpaceChar(c) ? ' ' : FOREIGN;
  }

  /** Whether {@code c} maps to the foreign symbol (scored texts leave such characters out). */
  public static boolean foreign(char c) {
    return symbol(c) == FOREIGN;
  }

  /** The window score (mean bits a character) from which a window counts as gibberish, fixed when trained. */
  public float threshold() {
    return threshold;
  }

  /** The score of a text's final window from which it ends in gibberish (a suffix), fixed when trained. */
  public float suffixThreshold() {
    return suffixThreshold;
  }

  /** This model with other thresholds. */
  public CharNgramModel withThresholds(float anywhere, float suffix) {
    return new CharNgramModel(counts, anywhere, suffix);
  }

  /** Distinct n-grams held, all orders together. */
  public int size() {
    int n = 0;
    for (LongIntMap m : counts) {
      n += m.size();
    }
    return n;
  }

  /** The surprise of each character of {@code text} in bits, given the characters before it. */
  public float[] bits(CharSequence text) {
    int n = text.length();
    float[] out = new float[n];
    int[] hist = new int[ORDER - 1];
    Arrays.fill(hist, START);
    for (int i = 0; i < n; i++) {
      int s = symbol(text.charAt(i));
      out[i] = (float) (-Math.log(probability(hist, s)) / Math.log(2));
      System.arraycopy(hist, 1, hist, 0, hist.length - 1);
      hist[hist.length - 1] = s;
    }
    return out;
  }

  // Witten-Bell: p_k(s|h) = (c(hs) + t(h) p_{k-1}(s|h')) / (c(h) + t(h)), from the unigram up.
  private double probability(int[] hist, int s) {
    double p = (counts[0].get(s) + 1.0) / (unigramTotal + SYMBOLS);
    long ctx = 0;
    for (int k = 1; k < ORDER; k++) {
      int h = hist[hist.length - k];
      // Keys hold the latest symbol lowest, as the trainer packs them.
      ctx = k == 1 ? h : ctx | ((long) h << (7 * (k - 1)));
      long ctxKey = ctx;
      int total = contextTotals[k].get(ctxKey);
      if (total == 0) {
        break; // a longer context was never seen either
      }
      int types = contextTypes[k].get(ctxKey);
      int c = counts[k].get((ctxKey << 7) | s);
      p = (c + types * p) / (total + types);
    }
    return p;
  }

  /** Counts n-grams of texts fed one at a time; {@link #build} makes the model. Not thread-safe. */
  public static final class Trainer {
    private final LongIntMap[] counts = new LongIntMap[ORDER];

    /** An empty trainer. */
    public Trainer() {
      for (int k = 0; k < ORDER; k++) {
        counts[k] = new LongIntMap(1 << 12);
      }
    }

    /** Adds the n-grams of {@code text}. */
    public void add(CharSequence text) {
      int[] syms = new int[text.length() + ORDER - 1];
      Arrays.fill(syms, 0, ORDER - 1, START);
      for (int i = 0; i < text.length(); i++) {
        syms[ORDER - 1 + i] = symbol(text.charAt(i));
      }
      for (int end = ORDER - 1; end < syms.length; end++) {
        long key = 0;
        for (int k = 0; k < ORDER; k++) {
          int sym = syms[end - k];
          key = k == 0 ? sym : key | ((long) sym << (7 * k));
          if (k > 0 && syms[end - k] == START && syms[end - k + 1] == START) {
            break; // only one start symbol of padding counts as context
          }
          counts[k].add(key, 1);
        }
      }
    }

    /** The model of what was added, with the given gibberish thresholds (anywhere, and at the end). */
    public CharNgramModel build(float threshold, float suffixThreshold) {
      LongIntMap[] copy = new LongIntMap[ORDER];
      for (int k = 0; k < ORDER; k++) {
        copy[k] = counts[k].copy();
      }
      return new CharNgramModel(copy, threshold, suffixThreshold);
    }
  }

  /** Writes the model, gzip-compressed: keys sorted and delta-coded, counts as varints. */
  public void write(OutputStream out) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (DataOutputStream d = new DataOutputStream(new GZIPOutputStream(buf))) {
      d.writeInt(MAGIC);
      d.writeInt(ORDER);
      d.writeFloat(threshold);
      d.writeFloat(suffixThreshold);
      for (LongIntMap m : counts) {
        long[] keys = m.sortedKeys();
        d.writeInt(keys.length);
        long prev = 0;
        for (long k : keys) {
          writeVarLong(d, k - prev);
          writeVarLong(d, m.get(k));
          prev = k;
        }
      }
    }
    out.write(buf.toByteArray());
  }

  /**
   * Reads a model written by {@link #write}.
   *
   * @throws IOException when the stream is not such a model
   */
  public static CharNgramModel read(InputStream in) throws IOException {
    try (DataInputStream d = new DataInputStream(new GZIPInputStream(in))) {
      if (d.readInt() != MAGIC || d.readInt() != ORDER) {
        throw new IOException("not a character n-gram model of order " + ORDER);
      }
      float threshold = d.readFloat();
      float suffixThreshold = d.readFloat();
      LongIntMap[] counts = new LongIntMap[ORDER];
      for (int k = 0; k < ORDER; k++) {
        int n = d.readInt();
        if (n < 0 || n > 50_000_000) {
          throw new IOException("corrupt model: " + n + " n-grams of order " + (k + 1));
        }
        counts[k] = new LongIntMap(Math.max(16, n));
        long key = 0;
        for (int i = 0; i < n; i++) {
          key += readVarLong(d);
          counts[k].add(key, (int) readVarLong(d));
        }
      }
      return new CharNgramModel(counts, threshold, suffixThreshold);
    }
  }

  private static void writeVarLong(DataOutputStream d, long v) throws IOException {
    while ((v & ~0x7fL) != 0) {
      d.writeByte((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    d.writeByte((int) v);
  }

  private static long readVarLong(DataInputStream d) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = d.readUnsignedByte();
      v |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IOException("corrupt model: varint too long");
  }

  /** An open-addressing map from non-negative long keys to int counts. */
  static final class LongIntMap {
    private long[] keys;
    private int[] values;
    private int size;

    LongIntMap(int expected) {
      int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
      keys = new long[cap];
      values = new int[cap];
      Arrays.fill(keys, -1L);
    }

    int size() {
      return size;
    }

    int capacity() {
      return keys.length;
    }

    boolean used(int slot) {
      return keys[slot] != -1L;
    }

    long keyAt(int slot) {
      return keys[slot];
    }

    int valueAt(int slot) {
      return values[slot];
    }

    int get(long key) {
      int mask = keys.length - 1;
      for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
        if (keys[i] == key) {
          return values[i];
        }
        if (keys[i] == -1L) {
          return 0;
        }
      }
    }

    void add(long key, int delta) {
      if ((size + 1) * 2 > keys.length) {
        grow();
      }
      int mask = keys.length - 1;
      for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
        if (keys[i] == key) {
          values[i] += delta;
          return;
        }
        if (keys[i] == -1L) {
          keys[i] = key;
          values[i] = delta;
          size++;
          return;
        }
      }
    }

    long[] sortedKeys() {
      long[] out = new long[size];
      int n = 0;
      for (long k : keys) {
        if (k != -1L) {
          out[n++] = k;
        }
      }
      Arrays.sort(out);
      return out;
    }

    LongIntMap copy() {
      LongIntMap m = new LongIntMap(16);
      m.keys = keys.clone();
      m.values = values.clone();
      m.size = size;
      return m;
    }

    private void grow() {
      long[] oldKeys = keys;
      int[] oldValues = values;
      keys = new long[oldKeys.length * 2];
      values = new int[oldKeys.length * 2];
      Arrays.fill(keys, -1L);
      size = 0;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] != -1L) {
          add(oldKeys[i], oldValues[i]);
        }
      }
    }

    private static int mix(long key) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32));
    }
  }
}
