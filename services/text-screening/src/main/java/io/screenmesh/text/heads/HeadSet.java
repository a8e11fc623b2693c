package io.screenmesh.text.heads;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The heads that {@code ./screenmesh train} writes and text-screening loads: {@code heads.json} in a
 * folder, with the feature spec, the sha256 of the embedding model the features came from, the
 * target false-positive rate and seed, and per head its coefficients and threshold. Written by hand
 * in a fixed layout (floats by {@link Float#toString}), so that the same fit is the same bytes.
 *
 * @param spec the features the heads read
 * @param embeddingModelSha256 the embedding model the heads were fitted on
 * @param targetFpr the false-positive rate the thresholds were calibrated at
 * @param seed the seed of the fit
 * @param heads one per category, in {@link HeadCategory} order
 */
public record HeadSet(FeatureSpec spec, String embeddingModelSha256, double targetFpr, long seed, List<Head> heads) {

  /** The file name inside a heads folder. */
  public static final String FILE = "heads.json";
  /** The {@code format} value of a head file. */
  public static final String FORMAT = "screenmesh-text-heads";

  /** Checks the heads against the spec. */
  public HeadSet {
    heads = List.copyOf(heads);
    for (Head h : heads) {
      if (h.model().weights().length != spec.size()) {
        throw new IllegalArgumentException("head " + h.category().key() + " has " + h.model().weights().length
            + " weights; its feature spec has " + spec.size() + " features");
      }
    }
  }

  /**
   * Refuses heads fitted on another embedding model than the one running.
   *
   * @throws IllegalStateException naming both hashes and what to do
   */
  public void requireModel(String runningSha256, String from) {
    if (!embeddingModelSha256.equalsIgnoreCase(runningSha256)) {
      throw new IllegalStateException("heads in " + from + " were fitted on embedding model sha256 "
          + embeddingModelSha256 + ", but the running model is " + runningSha256
          + ": retrain them with ./screenmesh train, or point screenmesh.text.heads.dir at heads for this model");
    }
  }

  /** The file's bytes: a fixed layout, one head per block. */
  public String toJson() {
    StringBuilder s = new StringBuilder();
    s.append("{\n  \"format\": \"").append(FORMAT).append("\",\n");
    s.append("  \"featureSpec\": {\"version\": ").append(spec.version())
        .append(", \"embeddingDimension\": ").append(spec.embeddingDimension())
        .append(", \"ruleCategories\": [");
    for (int i = 0; i < FeatureSpec.RULE_CATEGORIES.size(); i++) {
      s.append(i == 0 ? "" : ", ").append('"').append(FeatureSpec.RULE_CATEGORIES.get(i).name()).append('"');
    }
    s.append("], \"length\": \"").append(spec.length().name().toLowerCase(Locale.ROOT))
        .append("\", \"lengthCap\": ").append(FeatureSpec.LENGTH_CAP).append("},\n");
    s.append("  \"embeddingModelSha256\": \"").append(embeddingModelSha256).append("\",\n");
    s.append("  \"targetFpr\": ").append(targetFpr).append(",\n");
    s.append("  \"seed\": ").append(seed).append(",\n");
    s.append("  \"heads\": [");
    for (int i = 0; i < heads.size(); i++) {
      Head h = heads.get(i);
      s.append(i == 0 ? "\n" : ",\n");
      s.append("    {\"key\": \"").append(h.category().key()).append("\", \"thresholdLogit\": ")
          .append(h.thresholdLogit()).append(", \"bias\": ").append(Float.toString(h.model().bias()))
          .append(",\n     \"weights\": [");
      float[] w = h.model().weights();
      for (int j = 0; j < w.length; j++) {
        s.append(j == 0 ? "" : ", ").append(Float.toString(w[j]));
      }
      s.append("]}");
    }
    s.append("\n  ]\n}\n");
    return s.toString();
  }

  /** Writes {@link #FILE} into {@code dir}, creating it. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(FILE), toJson(), StandardCharsets.UTF_8);
  }

  /**
   * Reads {@code dir/heads.json}.
   *
   * @throws IOException when it cannot be read
   * @throws IllegalArgumentException when it is not a head file this build reads (another format or
   *     feature spec version, weights that do not fit the spec)
   */
  public static HeadSet read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try {
      return parse(text);
    } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
      throw new IllegalArgumentException(file + " is not a head file: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** Parses a head file's text. */
  static HeadSet parse(String text) {
    JsonObject o = JsonParser.parseString(text).getAsJsonObject();
    if (!o.has("format") || !FORMAT.equals(o.get("format").getAsString())) {
      throw new IllegalArgumentException("format is not " + FORMAT);
    }
    JsonObject fs = o.getAsJsonObject("featureSpec");
    int version = fs.get("version").getAsInt();
    if (version != FeatureSpec.VERSION) {
      throw new IllegalArgumentException("feature spec version " + version + "; this build reads version "
          + FeatureSpec.VERSION + ": retrain with ./screenmesh train");
    }
    List<String> cats = new ArrayList<>();
    for (JsonElement e : fs.getAsJsonArray("ruleCategories")) {
      cats.add(e.getAsString());
    }
    List<String> ours = FeatureSpec.RULE_CATEGORIES.stream().map(Enum::name).toList();
    if (!cats.equals(ours) || fs.get("lengthCap").getAsInt() != FeatureSpec.LENGTH_CAP) {
      throw new IllegalArgumentException("feature layout differs from this build's version " + FeatureSpec.VERSION);
    }
    FeatureSpec spec = new FeatureSpec(version, fs.get("embeddingDimension").getAsInt(),
        FeatureSpec.LengthMode.parse(fs.get("length").getAsString()));
    List<Head> heads = new ArrayList<>();
    for (JsonElement e : o.getAsJsonArray("heads")) {
      JsonObject h = e.getAsJsonObject();
      JsonArray wa = h.getAsJsonArray("weights");
      float[] w = new float[wa.size()];
      for (int j = 0; j < w.length; j++) {
        w[j] = wa.get(j).getAsFloat();
      }
      heads.add(new Head(HeadCategory.ofKey(h.get("key").getAsString()),
          new LogisticRegression.Model(w, h.get("bias").getAsFloat()), h.get("thresholdLogit").getAsDouble()));
    }
    return new HeadSet(spec, o.get("embeddingModelSha256").getAsString(), o.get("targetFpr").getAsDouble(),
        o.get("seed").getAsLong(), heads);
  }
}
