package io.screenmesh.text.known;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.screenmesh.kernels.ReferenceSet;
import io.screenmesh.kernels.Similarity;
import io.screenmesh.kernels.TopK;
import io.screenmesh.services.common.engine.Availability;
import io.screenmesh.text.embed.Embedder;
import io.screenmesh.text.embed.TextEmbedding;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The known-attack exemplars, embedded and kept resident in a {@link ReferenceSet} on the
 * configured compute backend, so that a text's windows can be searched for their nearest known
 * attacks in one top-k call per batch.
 *
 * <p>The set is the project's own exemplars ({@link #BUNDLED_RESOURCE}) plus the operator's JSONL
 * files: one object a line with {@code text} and optionally {@code id}, {@code category} and
 * {@code label}; a row whose label is present and not 1 is skipped, so a labelled training file
 * (benign and attack rows) can be named as it is. Each window of a long exemplar is a row of its
 * own.
 *
 * <p>The files are watched: every {@link Settings#reloadInterval()} their modification times and
 * sizes are compared with the last read, and on a change the whole set is read and embedded again
 * (unchanged texts reuse their vectors) and swapped in atomically; searches in flight finish on
 * the set they started with. A file that cannot be read or parsed at a reload is logged and the
 * previous set stays in use ({@link #lastError()}); at start-up such a file is logged and left
 * out.
 *
 * <p>Thread-safe. Owns its reference set and the watcher thread, released by {@link #close()};
 * does not own the embedder, which must outlive it.
 */
public final class KnownAttacks implements AutoCloseable {

  /** The project's own exemplars on the class path. */
  public static final String BUNDLED_RESOURCE = "/io/screenmesh/text/known/known-attacks.jsonl";

  private static final Logger LOG = Logger.getLogger(KnownAttacks.class);

  /**
   * What the set is made of and how it is watched.
   *
   * @param bundled whether the project's own exemplars are included
   * @param files the operator's JSONL files
   * @param reloadInterval how often the files are checked for changes; zero turns watching off
   */
  public record Settings(boolean bundled, List<Path> files, Duration reloadInterval) {

    /** Copies the list and checks the interval. */
    public Settings {
      files = List.copyOf(files);
      if (reloadInterval.isNegative()) {
        throw new IllegalArgumentException("the reload interval must not be negative: " + reloadInterval);
      }
    }
  }

  /**
   * One near known attack.
   *
   * @param exemplar the exemplar
   * @param score the cosine similarity of the query and the exemplar's nearest window
   */
  public record Match(Exemplar exemplar, float score) {}

  // Row r of the resident references is a window of rows.get(r).
  private record Rows(List<Exemplar> rows, int exemplars) {}

  private record Stamp(FileTime modified, long size) {}

  private record Loaded(List<Exemplar> exemplars, Map<Path, Stamp> stamps, List<String> errors) {}

  private final Embedder embedder;
  private final Similarity similarity;
  private final Settings settings;
  private final ReferenceSet<Rows> set;
  private final Availability availability;
  private final ScheduledExecutorService watcher;
  private final Object reloading = new Object();
  // Guarded by reloading.
  private Map<Path, Stamp> stamps = Map.of();
  private Map<String, List<float[]>> vectors = Map.of();
  private volatile String lastError;

  private KnownAttacks(String unavailable) {
    this.embedder = null;
    this.similarity = null;
    this.settings = null;
    this.set = null;
    this.availability = Availability.unavailable(unavailable);
    this.watcher = null;
  }

  private KnownAttacks(Embedder embedder, Similarity similarity, Settings settings) {
    this.embedder = Objects.requireNonNull(embedder, "embedder");
    this.similarity = Objects.requireNonNull(similarity, "similarity");
    this.settings = settings;
    Loaded first = read(settings);
    for (String e : first.errors()) {
      LOG.errorf("known attacks: %s; left out", e);
    }
    lastError = first.errors().isEmpty() ? null : String.join("; ", first.errors());
    stamps = first.stamps();
    if (first.exemplars().isEmpty()) {
      this.set = null;
      this.availability = Availability.unavailable(
          "no known-attack exemplars (the bundled set is off and no file gave any)");
      this.watcher = null;
      return;
    }
    Upload up = upload(first.exemplars());
    this.set = new ReferenceSet<>("known-attacks", up.references(), up.rows());
    this.availability = Availability.AVAILABLE;
    LOG.infof("known attacks: %d exemplars (%d rows) resident on the %s backend", up.rows().exemplars(),
        up.rows().rows().size(), similarity.backend().id());
    if (settings.reloadInterval().isZero()) {
      this.watcher = null;
    } else {
      this.watcher = Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon(true).name("known-attacks-watch").factory());
      long ms = Math.max(1, settings.reloadInterval().toMillis());
      watcher.scheduleWithFixedDelay(this::reloadIfChanged, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Loads and embeds the exemplars of {@code settings} and starts watching its files.
   *
   * @param embedder embeds the exemplars; must outlive the returned set
   * @param similarity the backend's similarity facade, where the set stays resident
   */
  public static KnownAttacks start(Embedder embedder, Similarity similarity, Settings settings) {
    return new KnownAttacks(embedder, similarity, settings);
  }

  /** A set that cannot search, for {@code reason} (no embeddings, say). */
  public static KnownAttacks unavailable(String reason) {
    return new KnownAttacks(reason);
  }

  /** Whether searches can run, and why not. */
  public Availability availability() {
    return availability;
  }

  /** The current set's version: 1 after start-up, one more per swap. */
  public long version() {
    return set == null ? 0 : set.version();
  }

  /** The number of exemplars in the current set. */
  public int size() {
    return set == null ? 0 : set.query(s -> s.labels().exemplars());
  }

  /** What went wrong at the last read that reported a problem (null when none did). */
  public String lastError() {
    return lastError;
  }

  /**
   * The {@code k} nearest exemplars of each query, best first, one per exemplar (its nearest
   * window). All queries run in one top-k call on the backend.
   *
   * @param queries unit vectors of the embedder's dimension
   * @throws IllegalStateException when the set is unavailable or closed
   */
  public List<List<Match>> nearest(List<float[]> queries, int k) {
    if (set == null) {
      throw new IllegalStateException(availability.reason());
    }
    if (queries.isEmpty()) {
      return List.of();
    }
    int dim = embedder.dimension();
    float[] flat = new float[queries.size() * dim];
    for (int q = 0; q < queries.size(); q++) {
      System.arraycopy(queries.get(q), 0, flat, q * dim, dim);
    }
    return set.query(snap -> {
      List<Exemplar> rows = snap.labels().rows();
      // Rows of one exemplar may crowd the top: ask for more and keep each exemplar's best.
      int want = Math.min(rows.size(), Math.max(k, 1) * 4);
      TopK top = snap.references().topK(flat, queries.size(), want);
      List<List<Match>> out = new ArrayList<>(queries.size());
      for (int q = 0; q < queries.size(); q++) {
        List<Match> matches = new ArrayList<>(k);
        Set<String> seen = new HashSet<>();
        for (int r = 0; r < want && matches.size() < k; r++) {
          Exemplar e = rows.get(top.index(q, r));
          if (seen.add(e.id())) {
            matches.add(new Match(e, top.score(q, r)));
          }
        }
        out.add(matches);
      }
      return out;
    });
  }

  /**
   * Reads every source again and swaps the new set in, unless a file cannot be read or parsed,
   * in which case that is logged, kept in {@link #lastError()}, and the current set stays.
   *
   * @return true when a new set was swapped in
   */
  public boolean reload() {
    if (set == null) {
      return false;
    }
    synchronized (reloading) {
      Loaded next = read(settings);
      stamps = next.stamps();
      if (!next.errors().isEmpty()) {
        lastError = String.join("; ", next.errors());
        LOG.errorf("known attacks: %s; the previous set (version %d) stays in use", lastError, set.version());
        return false;
      }
      if (next.exemplars().isEmpty()) {
        lastError = "the sources gave no exemplars";
        LOG.errorf("known attacks: %s; the previous set (version %d) stays in use", lastError, set.version());
        return false;
      }
      Upload up = upload(next.exemplars());
      long version = set.swap(up.references(), up.rows());
      lastError = null;
      LOG.infof("known attacks: reloaded, %d exemplars (%d rows), version %d", up.rows().exemplars(),
          up.rows().rows().size(), version);
      return true;
    }
  }

  /** Reloads when a file's modification time or size changed since the last read. */
  boolean reloadIfChanged() {
    try {
      synchronized (reloading) {
        if (current(settings.files()).equals(stamps)) {
          return false;
        }
        return reload();
      }
    } catch (RuntimeException e) {
      // The watcher must survive a failed reload (an embedding failure, say) to try the next change.
      LOG.errorf(e, "known attacks: the reload failed; the previous set stays in use");
      lastError = String.valueOf(e.getMessage());
      return false;
    }
  }

  private record Upload(Similarity.References references, Rows rows) {}

  // Embeds the exemplars (reusing the vectors of texts seen before) and uploads one row per window.
  private Upload upload(List<Exemplar> exemplars) {
    Map<String, List<float[]>> known = vectors;
    Map<String, List<float[]>> next = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (Exemplar e : exemplars) {
      List<float[]> v = known.get(e.text());
      if (v != null) {
        next.put(e.text(), v);
      } else if (!next.containsKey(e.text())) {
        next.put(e.text(), null);
        missing.add(e.text());
      }
    }
    int batch = 32;
    for (int from = 0; from < missing.size(); from += batch) {
      List<String> texts = missing.subList(from, Math.min(missing.size(), from + batch));
      List<TextEmbedding> embedded = embedder.embed(texts);
      for (int i = 0; i < texts.size(); i++) {
        next.put(texts.get(i), embedded.get(i).windows().stream().map(TextEmbedding.Window::vector).toList());
      }
    }
    List<Exemplar> rows = new ArrayList<>();
    int dim = embedder.dimension();
    for (Exemplar e : exemplars) {
      for (int w = 0; w < next.get(e.text()).size(); w++) {
        rows.add(e);
      }
    }
    float[] flat = new float[rows.size() * dim];
    int r = 0;
    for (Exemplar e : exemplars) {
      for (float[] v : next.get(e.text())) {
        System.arraycopy(v, 0, flat, r++ * dim, dim);
      }
    }
    vectors = next;
    return new Upload(similarity.load(flat, rows.size(), dim), new Rows(List.copyOf(rows), exemplars.size()));
  }

  // Every source's exemplars, deduplicated by id (the first wins), and what went wrong.
  private static Loaded read(Settings settings) {
    // Stamped before reading, so that a change made during the read is seen at the next check.
    Map<Path, Stamp> stamps = current(settings.files());
    Map<String, Exemplar> byId = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    if (settings.bundled()) {
      try (InputStream in = KnownAttacks.class.getResourceAsStream(BUNDLED_RESOURCE)) {
        if (in == null) {
          throw new IOException(BUNDLED_RESOURCE + " is not on the class path");
        }
        parse(new InputStreamReader(in, StandardCharsets.UTF_8), "bundled", byId);
      } catch (IOException | RuntimeException e) {
        errors.add("the bundled exemplars: " + e.getMessage());
      }
    }
    for (Path f : settings.files()) {
      try (Reader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        parse(in, f.getFileName().toString(), byId);
      } catch (IOException | RuntimeException e) {
        errors.add(f + ": " + describe(e));
      }
    }
    return new Loaded(List.copyOf(byId.values()), stamps, errors);
  }

  private static void parse(Reader reader, String name, Map<String, Exemplar> into) throws IOException {
    BufferedReader in = new BufferedReader(reader);
    String line;
    int n = 0;
    while ((line = in.readLine()) != null) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      JsonObject o;
      try {
        JsonElement el = JsonParser.parseString(line);
        if (!el.isJsonObject()) {
          throw new ExemplarFileException("line " + n + " is not a JSON object");
        }
        o = el.getAsJsonObject();
      } catch (JsonParseException e) {
        throw new ExemplarFileException("line " + n + " is not JSON: " + e.getMessage());
      }
      if (o.has("label") && !"1".equals(o.get("label").getAsString())) {
        continue;
      }
      if (!o.has("text") || !o.get("text").isJsonPrimitive() || o.get("text").getAsString().isBlank()) {
        throw new ExemplarFileException("line " + n + " has no text");
      }
      String id = o.has("id") ? o.get("id").getAsString() : name + ":" + n;
      String category = o.has("category") ? o.get("category").getAsString() : "injection";
      into.putIfAbsent(id, new Exemplar(id, category, o.get("text").getAsString()));
    }
  }

  private static String describe(Exception e) {
    return switch (e) {
      case java.nio.file.NoSuchFileException x -> "no such file";
      case java.nio.file.AccessDeniedException x -> "permission denied";
      case java.nio.charset.CharacterCodingException x -> "not UTF-8";
      default -> String.valueOf(e.getMessage());
    };
  }

  // The files' stamps now; a file that cannot be read has none (so its return is a change).
  private static Map<Path, Stamp> current(List<Path> files) {
    Map<Path, Stamp> out = new HashMap<>();
    for (Path f : files) {
      try {
        out.put(f, new Stamp(Files.getLastModifiedTime(f), Files.size(f)));
      } catch (IOException e) {
        out.put(f, new Stamp(FileTime.fromMillis(-1), -1));
      }
    }
    return out;
  }

  /** A line of an exemplar file that is not an exemplar. */
  private static final class ExemplarFileException extends RuntimeException {
    ExemplarFileException(String message) {
      super(message);
    }
  }

  /** Stops watching and retires the set (freed when its last search ends); idempotent. */
  @Override
  public void close() {
    if (watcher != null) {
      watcher.shutdownNow();
    }
    if (set != null) {
      set.close();
    }
  }
}
