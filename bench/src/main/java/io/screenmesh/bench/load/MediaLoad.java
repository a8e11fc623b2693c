package io.screenmesh.bench.load;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC load generator for image-screening and audio-screening: {@link LoadGen}'s closed,
 * open and batch-stream loops ({@link Drivers}) with image or audio files as the payload, and
 * a line on what the answers said of their processing (backend, batch sizes, response size).
 * Usage: {@link MediaOptions#USAGE}; the runs of {@code bench/RESULTS.md} are {@code bench/engines.sh}.
 */
public final class MediaLoad {

  private MediaLoad() {}

  /** Runs the generator; exits 2 on bad arguments or unreadable payloads. */
  public static void main(String[] args) throws Exception {
    MediaOptions o;
    try {
      o = MediaOptions.parse(Arrays.asList(args));
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println("MediaLoad: " + e.getMessage());
      }
      System.err.print(MediaOptions.USAGE);
      System.exit(e.getMessage().isEmpty() ? 0 : 2);
      return;
    }
    Map<String, ByteString> payloads;
    try {
      payloads = read(o.payloads());
    } catch (IOException e) {
      System.err.println("MediaLoad: cannot read a payload: " + e);
      System.exit(2);
      return;
    }
    run(o, payloads, System.out, System.err);
  }

  /** Files by name; a name given twice is sent twice as often. */
  static Map<String, ByteString> read(List<Path> files) throws IOException {
    Map<String, ByteString> m = new LinkedHashMap<>();
    for (Path f : files) {
      m.put(f.toString(), ByteString.copyFrom(Files.readAllBytes(f)));
    }
    return m;
  }

  private static void run(MediaOptions o, Map<String, ByteString> payloads, PrintStream out, PrintStream log)
      throws IOException, InterruptedException {
    LoadOptions l = o.load();
    List<String> names = new ArrayList<>();
    o.payloads().forEach(p -> names.add(p.toString()));
    ManagedChannel channel = LoadGen.open(l);
    try {
      MediaTarget target = new MediaTarget(o.kind(), channel, payloads, o.omitSanitized());
      Drivers drivers = new Drivers(target, names, l.deadlineMillis());
      log.printf(Locale.ROOT, "MediaLoad: %s at %s, %s, payloads %s, omit_sanitized=%s; load average %s%n",
          target.name(), l.address(), l.mode(), sizes(payloads), o.omitSanitized(), loadAverage());
      Stats.Result r = switch (l.mode()) {
        case "closed" -> drivers.closed("closed c=" + l.concurrency(), l.concurrency(), l.warmupSeconds(),
            l.durationSeconds());
        case "open" -> drivers.open("open " + String.format(Locale.ROOT, "%.1f/s", l.rate()), l.rate(),
            l.maxOutstanding(), l.warmupSeconds(), l.durationSeconds());
        case "batch" -> drivers.batch("stream " + l.concurrency() + "x" + l.batchSize(), l.concurrency(),
            l.batchSize(), l.warmupSeconds(), l.durationSeconds());
        default -> throw new IllegalStateException(l.mode());
      };
      out.print(LoadGen.table(List.of(r)));
      out.println("  " + target.seen().summary());
      out.println("  load average at the end: " + loadAverage());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Map<String, String> sizes(Map<String, ByteString> payloads) {
    Map<String, String> m = new LinkedHashMap<>();
    payloads.forEach((k, v) -> m.put(Path.of(k).getFileName().toString(), String.format(Locale.ROOT, "%.1f KiB",
        v.size() / 1024.0)));
    return m;
  }

  /** The first three fields of /proc/loadavg, or "n/a" where there is none. */
  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }
}
