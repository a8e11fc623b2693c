package io.screenmesh.bench.load;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of {@link MediaLoad}: the media options of its own ({@code --target
 * image|audio}, {@code --payload}, {@code --omit-sanitized}); everything else (address, TLS,
 * mode, concurrency, batch, warm-up, duration, deadline) is {@link LoadOptions}'s and means
 * the same as for {@link LoadGen}.
 *
 * @param kind the service driven
 * @param payloads the files sent, taken in turn
 * @param omitSanitized set {@code omit_sanitized} on every request
 * @param load the common options; its {@code target} is not used
 */
public record MediaOptions(MediaTarget.Kind kind, List<Path> payloads, boolean omitSanitized, LoadOptions load) {

  /** The usage text printed by {@code --help} and on errors. */
  public static final String USAGE = """
      usage: MediaLoad --target image|audio --payload FILE[,FILE...] (--address HOST:PORT | --mesh MESH_ENV)
                       [--omit-sanitized] [options]

        --target image|audio      image-screening (ScreenImage, ScreenImageStream) or audio-screening
                                  (ScreenAudio, ScreenAudioStream), called directly
        --payload FILES           image or audio files, comma-separated; calls take them in turn
        --omit-sanitized          ask for no sanitized copy in the answers (default: sent back)
        --mesh FILE               the mesh.env of ./screenmesh up: the IMAGE or AUDIO address, the CA,
                                  and the client certificate next to it (mutual TLS)
        --mode closed|open|batch  as LoadGen (default closed); batch = N streams of --batch items
        --address, --ca, --cert, --key, --concurrency, --rate, --batch, --warmup, --duration,
        --deadline-ms, --max-outstanding: as LoadGen
      """;

  // LoadGen options that choose or shape prompts, or that this runner does not report.
  private static final Set<String> NOT_HERE = Set.of("--prompts", "--max-chars", "--prompt-chars", "--prompt-count",
      "--seed", "--token", "--token-file", "--json", "--step-seconds", "--max-concurrency", "--target-p99-ms");

  /**
   * Parses the command line; files are not opened here.
   *
   * @throws IllegalArgumentException with a message naming the bad or missing option (empty for --help)
   */
  public static MediaOptions parse(List<String> args) {
    String target = null;
    String payload = null;
    String address = null;
    String mesh = null;
    boolean omit = false;
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--omit-sanitized")) {
        omit = true;
        continue;
      }
      if (a.equals("--help") || a.equals("-h")) {
        throw new IllegalArgumentException("");
      }
      if (NOT_HERE.contains(a)) {
        throw new IllegalArgumentException(a + " is not an option of the media load (see --help)");
      }
      boolean ours = a.equals("--target") || a.equals("--payload") || a.equals("--address") || a.equals("--mesh");
      if (!ours) {
        rest.add(a);
        continue;
      }
      if (i + 1 >= args.size()) {
        throw new IllegalArgumentException("unexpected argument '" + a + "' (missing value)");
      }
      String value = args.get(++i);
      switch (a) {
        case "--target" -> target = value;
        case "--payload" -> payload = value;
        case "--address" -> address = value;
        default -> mesh = value;
      }
    }
    MediaTarget.Kind kind;
    if ("image".equals(target)) {
      kind = MediaTarget.Kind.IMAGE;
    } else if ("audio".equals(target)) {
      kind = MediaTarget.Kind.AUDIO;
    } else {
      throw new IllegalArgumentException("--target must be image or audio, got '" + target + "'");
    }
    if (payload == null || payload.isBlank()) {
      throw new IllegalArgumentException("--payload FILE[,FILE...] is required");
    }
    List<Path> payloads = new ArrayList<>();
    for (String f : payload.split(",")) {
      if (f.isBlank()) {
        throw new IllegalArgumentException("--payload has an empty file name: '" + payload + "'");
      }
      payloads.add(Path.of(f.strip()));
    }
    if (address == null && mesh != null) {
      Map<String, String> env = LoadOptions.readEnv(Path.of(mesh));
      address = env.get(kind == MediaTarget.Kind.IMAGE ? "IMAGE" : "AUDIO");
      if (address == null) {
        throw new IllegalArgumentException("--mesh " + mesh + " has no " + kind.name() + " address");
      }
    }
    if (address == null) {
      throw new IllegalArgumentException("--address HOST:PORT or --mesh FILE is required");
    }
    // LoadOptions fills in TLS from the mesh file as it does for text-screening: the modality
    // services take the same client certificate.
    rest.addAll(List.of("--target", "text", "--address", address));
    if (mesh != null) {
      rest.addAll(List.of("--mesh", mesh));
    }
    LoadOptions load = LoadOptions.parse(rest);
    if (load.mode().equals("half-max")) {
      throw new IllegalArgumentException("--mode half-max is LoadGen's alone; use closed, open or batch");
    }
    return new MediaOptions(kind, List.copyOf(payloads), omit, load);
  }
}
