package io.screenmesh.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The load generator's command line. Every option is {@code --name value} except the flags
 * {@code --json} and {@code --help}; see {@link #USAGE}.
 *
 * @param target {@code text} (text-screening directly) or {@code front} (the front door)
 * @param address {@code host:port} of the target
 * @param ca PEM CA file: use TLS and trust it; null for plaintext
 * @param cert PEM client certificate for mutual TLS, or null
 * @param key PEM client key for mutual TLS, or null
 * @param token bearer token sent on every call, or null
 * @param mode {@code closed}, {@code open}, {@code batch} or {@code half-max}
 * @param concurrency callers (closed), streams (batch)
 * @param rate target calls per second (open)
 * @param batchSize prompts per stream (batch)
 * @param warmupSeconds load before measuring
 * @param durationSeconds measured load
 * @param stepSeconds measured load of each step of the max-throughput search (half-max)
 * @param maxConcurrency the highest concurrency the search tries (half-max)
 * @param promptsFile JSONL with a {@code text} field per line, or null for generated prompts
 * @param maxChars the longest prompt sent, in UTF-16 units
 * @param promptChars when positive, generated prompts have exactly this length
 * @param promptCount how many prompts to generate
 * @param seed seed of the prompt generator
 * @param deadlineMillis deadline of each call (of each stream, in batch mode)
 * @param maxOutstanding calls in flight at most (open); beyond it arrivals are counted as shed
 * @param targetP99Millis the p99 the half-max run is checked against
 * @param json print one JSON object instead of tables
 */
public record LoadOptions(String target, String address, String ca, String cert, String key, String token,
    String mode, int concurrency, double rate, int batchSize, double warmupSeconds, double durationSeconds,
    double stepSeconds, int maxConcurrency, Path promptsFile, int maxChars, int promptChars, int promptCount,
    long seed, long deadlineMillis, int maxOutstanding, double targetP99Millis, boolean json) {

  /** The file stem of the front door's certificate among the launcher's development material. */
  static final String FRONT_DOOR_IDENTITY = "fusion-checker";

  /** The usage text printed by {@code --help} and on errors. */
  public static final String USAGE = """
      usage: LoadGen --target text|front (--address HOST:PORT | --mesh MESH_ENV) [options]

        --target text|front       text-screening directly, or the front door (fusion-checker)
        --address HOST:PORT       where the target listens (plaintext unless --ca)
        --mesh FILE               the mesh.env written by ./screenmesh up: takes the address, CA,
                                  token and (for text) the client certificate from it
        --ca FILE --cert FILE --key FILE   TLS trust and mutual-TLS client material (PEM)
        --token T | --token-file F         bearer token for the front door
        --mode closed|open|batch|half-max  (default closed)
             closed    N callers, each sends its next call when the previous one ends
             open      calls start at a fixed --rate whether or not earlier ones ended;
                       latency counts from the scheduled start (no coordinated omission)
             batch     N streams, each sending --batch prompts and waiting for every answer
             half-max  after a warm-up at 4 callers, closed-loop steps at concurrency
                       1, 2, 4, ... find the maximum throughput; then an open-loop run at
                       half of it, checked against --target-p99-ms
        --concurrency N           callers or streams (default 4)
        --rate R                  calls per second (open; required there)
        --batch B                 prompts per stream (default 64)
        --warmup S --duration S   seconds of warm-up and of measurement (default 10, 20)
        --step-seconds S          measurement per search step (half-max; default 8)
        --max-concurrency N       highest search step (half-max; default 64)
        --prompts FILE            JSONL with a "text" field per line; default: generated benign prompts
        --max-chars N             cut prompts to N UTF-16 units (default 2000)
        --prompt-chars N          generated prompts of exactly N characters (default: 20..max-chars)
        --prompt-count N --seed S generated prompts (default 1000, 42)
        --deadline-ms MS          per call, per stream in batch mode (default 5000)
        --max-outstanding N       open mode: calls in flight at most (default 10000)
        --target-p99-ms MS        half-max: the p99 to meet (default 5)
        --json                    print JSON instead of tables
      """;

  /**
   * Parses the command line.
   *
   * @throws IllegalArgumentException with a message naming the bad or missing option
   */
  public static LoadOptions parse(List<String> args) {
    Map<String, String> v = new HashMap<>();
    boolean json = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--json" -> json = true;
        case "--help", "-h" -> throw new IllegalArgumentException("");
        default -> {
          if (!a.startsWith("--") || i + 1 >= args.size()) {
            throw new IllegalArgumentException("unexpected argument '" + a + "'" + (a.startsWith("--") ? " (missing value)" : ""));
          }
          v.put(a.substring(2), args.get(++i));
        }
      }
    }
    Map<String, String> mesh = v.containsKey("mesh") ? readEnv(Path.of(v.remove("mesh"))) : Map.of();
    String target = v.getOrDefault("target", "text");
    if (!target.equals("text") && !target.equals("front")) {
      throw new IllegalArgumentException("--target must be text or front, got '" + target + "'");
    }
    String address = v.containsKey("address") ? v.remove("address")
        : mesh.get(target.equals("text") ? "TEXT" : "FRONT_DOOR");
    if (address == null) {
      throw new IllegalArgumentException("--address HOST:PORT or --mesh FILE is required");
    }
    String ca = v.containsKey("ca") ? v.remove("ca") : mesh.get("CA");
    String cert = v.remove("cert");
    String key = v.remove("key");
    if (ca != null && cert == null && target.equals("text") && !mesh.isEmpty()) {
      // The launcher keeps the mesh identities' certificates next to its CA; the modality
      // services admit only the front door's (mutual TLS, checked by SAN), which the load
      // generator presents as it stands in for the front door.
      Path dir = Path.of(ca).toAbsolutePath().getParent();
      cert = dir.resolve(FRONT_DOOR_IDENTITY + ".crt").toString();
      key = dir.resolve(FRONT_DOOR_IDENTITY + ".key").toString();
    }
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("--cert and --key go together");
    }
    String token = v.remove("token");
    if (v.containsKey("token-file")) {
      try {
        token = Files.readString(Path.of(v.remove("token-file"))).strip();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read --token-file", e);
      }
    } else if (token == null) {
      token = mesh.get("TOKEN");
    }
    String mode = v.getOrDefault("mode", "closed");
    if (!List.of("closed", "open", "batch", "half-max").contains(mode)) {
      throw new IllegalArgumentException("--mode must be closed, open, batch or half-max, got '" + mode + "'");
    }
    double rate = dbl(v, "rate", 0);
    if (mode.equals("open") && rate <= 0) {
      throw new IllegalArgumentException("--mode open needs --rate R (calls per second, > 0)");
    }
    LoadOptions o = new LoadOptions(target, address, ca, cert, key, token, mode,
        positive(v, "concurrency", 4), rate, positive(v, "batch", 64),
        dbl(v, "warmup", 10), dbl(v, "duration", 20), dbl(v, "step-seconds", 8), positive(v, "max-concurrency", 64),
        v.containsKey("prompts") ? Path.of(v.remove("prompts")) : null,
        positive(v, "max-chars", 2000), (int) dbl(v, "prompt-chars", 0), positive(v, "prompt-count", 1000),
        (long) dbl(v, "seed", 42), positive(v, "deadline-ms", 5000), positive(v, "max-outstanding", 10_000),
        dbl(v, "target-p99-ms", 5), json);
    v.keySet().removeAll(List.of("target", "mode"));
    if (!v.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s): --" + String.join(", --", v.keySet()));
    }
    if (o.durationSeconds <= 0 || o.stepSeconds <= 0 || o.warmupSeconds < 0) {
      throw new IllegalArgumentException("--duration and --step-seconds must be > 0, --warmup >= 0");
    }
    return o;
  }

  private static int positive(Map<String, String> v, String name, int dflt) {
    String s = v.remove(name);
    if (s == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(s);
      if (n <= 0) {
        throw new IllegalArgumentException("--" + name + " must be > 0, got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + s + "'");
    }
  }

  private static double dbl(Map<String, String> v, String name, double dflt) {
    String s = v.remove(name);
    if (s == null) {
      return dflt;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, got '" + s + "'");
    }
  }

  /** KEY=VALUE lines; blank lines and # comments are skipped. */
  static Map<String, String> readEnv(Path file) {
    Map<String, String> env = new HashMap<>();
    try {
      for (String line : Files.readAllLines(file)) {
        String l = line.strip();
        int eq = l.indexOf('=');
        if (!l.isEmpty() && !l.startsWith("#") && eq > 0) {
          env.put(l.substring(0, eq).strip(), l.substring(eq + 1).strip());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --mesh " + file, e);
    }
    return env;
  }
}
