package io.screenmesh.text.heads;

import io.screenmesh.text.embed.TextEmbedding;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Embeddings kept between runs of {@code train} (ablations re-read the same texts): a file keyed by
 * the sha256 of each text, valid for one embedding model and one way of cutting windows only
 * (both written in its header). A file made otherwise is ignored and rewritten.
 */
final class EmbeddingCache {

  private static final int MAGIC = 0x534d4543;

  private final Path file;
  private final String modelSha256;
  private final Map<String, TextEmbedding> entries = new LinkedHashMap<>();
  private boolean dirty;

  private EmbeddingCache(Path file, String modelSha256) {
    this.file = file;
    this.modelSha256 = modelSha256;
  }

  /** The cache in {@code file} for {@code modelSha256}; empty when the file is absent or for another model. */
  static EmbeddingCache open(Path file, String modelSha256) throws IOException {
    EmbeddingCache c = new EmbeddingCache(file, modelSha256);
    if (file == null || !Files.exists(file)) {
      return c;
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      if (in.readInt() != MAGIC || !in.readUTF().equals(modelSha256)) {
        return c;
      }
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        String key = in.readUTF();
        int windows = in.readInt();
        List<TextEmbedding.Window> ws = new ArrayList<>(windows);
        for (int k = 0; k < windows; k++) {
          int start = in.readInt();
          int end = in.readInt();
          float[] v = new float[in.readInt()];
          for (int j = 0; j < v.length; j++) {
            v[j] = in.readFloat();
          }
          ws.add(new TextEmbedding.Window(start, end, v));
        }
        c.entries.put(key, new TextEmbedding(ws));
      }
    }
    return c;
  }

  TextEmbedding get(String text) {
    return entries.get(key(text));
  }

  void put(String text, TextEmbedding e) {
    entries.put(key(text), e);
    dirty = true;
  }

  /** Writes the file when anything was added (through a temporary file, so a crash leaves the old one). */
  void save() throws IOException {
    if (file == null || !dirty) {
      return;
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
      out.writeInt(MAGIC);
      out.writeUTF(modelSha256);
      out.writeInt(entries.size());
      for (var e : entries.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeInt(e.getValue().windows().size());
        for (TextEmbedding.Window w : e.getValue().windows()) {
          out.writeInt(w.start());
          out.writeInt(w.end());
          out.writeInt(w.vector().length);
          for (float f : w.vector()) {
            out.writeFloat(f);
          }
        }
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
  }

  static String key(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
