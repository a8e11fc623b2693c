package io.screenmesh.image.adversarial;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * An operator's image classifier run by ONNX Runtime: one float input of the configured shape
 * (any batch size), one output of class scores per image. The model's declared input shape is
 * checked against the configuration when it is loaded, so a wrong size, channel count or layout
 * refuses start-up instead of producing meaningless scores. Thread-safe (ONNX Runtime sessions
 * may run concurrently); owns its session until {@link #close()}.
 */
public final class OnnxClassifier implements AutoCloseable {

  private final ClassifierConfig config;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final String input;
  private final String sha256;
  private volatile boolean closed;

  /**
   * Loads the model of {@code config} and checks its input and output.
   *
   * @throws IllegalArgumentException when the model's input or output does not match the
   *     configuration, with both shapes in the message
   * @throws IllegalStateException when ONNX Runtime cannot load the file
   */
  public OnnxClassifier(ClassifierConfig config) {
    this.config = config;
    this.sha256 = sha256(config.model());
    this.env = OrtEnvironment.getEnvironment();
    OrtSession s = null;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(config.threads());
      options.setInterOpNumThreads(1);
      s = env.createSession(config.model().toString(), options);
      this.input = checkShapes(config, s);
      this.session = s;
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime cannot load " + config.model() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(s);
      throw e;
    }
  }

  private static String checkShapes(ClassifierConfig config, OrtSession s) throws OrtException {
    Map<String, NodeInfo> inputs = s.getInputInfo();
    if (inputs.size() != 1) {
      throw new IllegalArgumentException("model " + config.model() + " has " + inputs.size()
          + " inputs; the adversarial detector needs a model with one image input");
    }
    Map.Entry<String, NodeInfo> in = inputs.entrySet().iterator().next();
    long[] want = config.expectedShape();
    if (!(in.getValue().getInfo() instanceof TensorInfo t) || !fits(t.getShape(), want)) {
      String have = in.getValue().getInfo() instanceof TensorInfo ti ? Arrays.toString(ti.getShape()) : "not a tensor";
      throw new IllegalArgumentException("model " + config.model() + " input '" + in.getKey() + "' has shape " + have
          + " but the configuration (" + ClassifierConfig.PREFIX + "{layout,channels,height,width} = "
          + (config.nchw() ? "nchw" : "nhwc") + ", " + config.channels() + ", " + config.height() + ", "
          + config.width() + ") expects " + Arrays.toString(want) + " (-1: any)");
    }
    Map<String, NodeInfo> outputs = s.getOutputInfo();
    NodeInfo out = outputs.values().iterator().next();
    if (!(out.getInfo() instanceof TensorInfo o) || o.getShape().length != 2) {
      throw new IllegalArgumentException("model " + config.model() + " output '" + out.getName()
          + "' must be class scores of shape [batch, classes]");
    }
    return in.getKey();
  }

  private static boolean fits(long[] have, long[] want) {
    if (have.length != want.length) {
      return false;
    }
    for (int i = 1; i < have.length; i++) {
      if (have[i] >= 0 && have[i] != want[i]) {
        return false;
      }
    }
    // A symbolic size where the configuration names one is accepted: the model takes any.
    return true;
  }

  /** The configuration the model was loaded with. */
  public ClassifierConfig config() {
    return config;
  }

  /** The SHA-256 of the model file, lower-case hex: what a calibrated threshold is bound to. */
  public String sha256() {
    return sha256;
  }

  /**
   * Class probabilities of {@code n} images laid out one after another in the configured layout,
   * already normalized: softmax of the outputs, or the outputs when the model gives
   * probabilities.
   *
   * @throws IllegalArgumentException when {@code input} does not hold {@code n} images
   * @throws IllegalStateException after {@link #close()}, or when the run fails
   */
  public float[][] probabilities(float[] input, int n) {
    if (closed) {
      throw new IllegalStateException("classifier is closed");
    }
    if (input.length != (long) n * config.inputSize()) {
      throw new IllegalArgumentException("input holds " + input.length + " values, not " + n + " images of "
          + config.inputSize());
    }
    long[] shape = config.expectedShape();
    shape[0] = n;
    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
        OrtSession.Result r = session.run(Map.of(this.input, t))) {
      float[][] out = (float[][]) r.get(0).getValue();
      if (!config.probabilities()) {
        for (float[] row : out) {
          softmax(row);
        }
      }
      return out;
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime run failed: " + e.getMessage(), e);
    }
  }

  static void softmax(float[] row) {
    float max = Float.NEGATIVE_INFINITY;
    for (float v : row) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (int i = 0; i < row.length; i++) {
      row[i] = (float) Math.exp(row[i] - max);
      sum += row[i];
    }
    for (int i = 0; i < row.length; i++) {
      row[i] = (float) (row[i] / sum);
    }
  }

  /**
   * The SHA-256 of a file, lower-case hex.
   *
   * @throws IllegalArgumentException when the file cannot be read
   */
  public static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int k; (k = in.read(buf)) > 0; ) {
        md.update(buf, 0, k);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  private static void closeQuietly(OrtSession s) {
    if (s != null) {
      try {
        s.close();
      } catch (OrtException ignored) {
        // Already failing with the reason that matters.
      }
    }
  }

  /** Releases the session; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing the ONNX session failed: " + e.getMessage(), e);
    }
  }
}
