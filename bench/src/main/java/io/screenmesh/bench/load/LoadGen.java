package io.screenmesh.bench.load;

import com.google.gson.GsonBuilder;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC load generator for text-screening and the front door: closed-loop, open-loop and
 * batch-stream load, HdrHistogram latency percentiles and throughput, and a mode that finds
 * the maximum throughput and then measures latency at half of it. Usage:
 * {@link LoadOptions#USAGE}; how to run it: {@code bench/README.md}.
 */
public final class LoadGen {

  private LoadGen() {}

  /** Runs the generator; exits 2 on bad arguments, 1 when half-max misses its p99 target. */
  public static void main(String[] args) throws Exception {
    LoadOptions o;
    try {
      o = LoadOptions.parse(Arrays.asList(args));
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println("LoadGen: " + e.getMessage());
      }
      System.err.print(LoadOptions.USAGE);
      System.exit(e.getMessage().isEmpty() ? 0 : 2);
      return;
    }
    System.exit(run(o, System.out, System.err));
  }

  /** Runs {@code o}, printing the report to {@code out} and progress to {@code log}; returns the exit code. */
  static int run(LoadOptions o, PrintStream out, PrintStream log) throws IOException, InterruptedException {
    List<String> prompts = o.promptsFile() != null
        ? Prompts.fromJsonl(o.promptsFile(), o.maxChars())
        : Prompts.generated(o.promptCount(), o.maxChars(), o.promptChars(), o.seed());
    ManagedChannel channel = open(o);
    try {
      Channel ch = channel;
      if (o.token() != null && !o.token().isEmpty()) {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + o.token());
        ch = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
      }
      Target target = o.target().equals("text") ? new Target.Text(ch) : new Target.FrontDoor(ch);
      Drivers drivers = new Drivers(target, prompts, o.deadlineMillis());
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("target", o.target());
      report.put("address", o.address());
      report.put("mode", o.mode());
      report.put("prompts", promptInfo(o, prompts));
      report.put("machine", machine());
      List<Stats.Result> results = new ArrayList<>();
      int exit = 0;
      log.printf(Locale.ROOT, "LoadGen: %s at %s, %s, %d prompts (%s)%n", o.target(), o.address(), o.mode(),
          prompts.size(), report.get("prompts"));
      switch (o.mode()) {
        case "closed" -> results.add(drivers.closed("closed c=" + o.concurrency(), o.concurrency(),
            o.warmupSeconds(), o.durationSeconds()));
        case "open" -> results.add(drivers.open("open " + fmt(o.rate()) + "/s", o.rate(), o.maxOutstanding(),
            o.warmupSeconds(), o.durationSeconds()));
        case "batch" -> results.add(drivers.batch("batch " + o.concurrency() + "x" + o.batchSize(), o.concurrency(),
            o.batchSize(), o.warmupSeconds(), o.durationSeconds()));
        case "half-max" -> exit = halfMax(o, drivers, results, report, log);
        default -> throw new IllegalStateException(o.mode());
      }
      report.put("runs", results.stream().map(LoadGen::json).toList());
      if (o.json()) {
        out.println(new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(report));
      } else {
        out.print(table(results));
        if (report.containsKey("check")) {
          out.println(report.get("check"));
        }
      }
      return exit;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Closed-loop steps at doubling concurrency until throughput stops growing by 5 %, then an
   * open-loop run at half the best throughput, checked against the p99 target.
   */
  private static int halfMax(LoadOptions o, Drivers drivers, List<Stats.Result> results, Map<String, Object> report,
      PrintStream log) throws InterruptedException {
    // Warm the JIT of client and server under real concurrency first: one caller alone makes
    // too few calls for the hot paths to be compiled before the search's first step.
    if (o.warmupSeconds() > 0) {
      int c = Math.min(4, o.maxConcurrency());
      log.printf(Locale.ROOT, "  warm-up: %d callers for %.0f s%n", c, o.warmupSeconds());
      drivers.closed("warm-up", c, 0, o.warmupSeconds());
    }
    Stats.Result best = null;
    for (int c = 1; c <= o.maxConcurrency(); c *= 2) {
      Stats.Result r = drivers.closed("max-search c=" + c, c, Math.min(2, o.warmupSeconds()), o.stepSeconds());
      results.add(r);
      log.printf(Locale.ROOT, "  c=%-3d %9.1f %s/s  p99 %.3f ms  errors %d%n", c, r.throughput(), r.unit(), r.ms(99), r.errors());
      if (best != null && r.throughput() < best.throughput() * 1.05) {
        if (r.throughput() > best.throughput()) {
          best = r;
        }
        break;
      }
      if (best == null || r.throughput() > best.throughput()) {
        best = r;
      }
    }
    double rate = best.throughput() / 2;
    log.printf(Locale.ROOT, "  max %.1f/s at c=%d; open loop at %.1f/s%n", best.throughput(), best.concurrency(), rate);
    Stats.Result half = drivers.open("open at half max " + fmt(rate) + "/s", rate, o.maxOutstanding(),
        Math.min(5, o.warmupSeconds()), o.durationSeconds());
    results.add(half);
    boolean pass = half.errors() == 0 && half.shed() == 0 && half.ms(99) <= o.targetP99Millis();
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("max_throughput", round(best.throughput()));
    check.put("max_at_concurrency", best.concurrency());
    check.put("half_rate", round(rate));
    check.put("p99_ms", round(half.ms(99)));
    check.put("target_p99_ms", o.targetP99Millis());
    check.put("pass", pass);
    report.put("check", check);
    return pass ? 0 : 1;
  }

  static ManagedChannel open(LoadOptions o) throws IOException {
    int colon = o.address().lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("address must be host:port, got '" + o.address() + "'");
    }
    ChannelCredentials creds;
    if (o.ca() == null) {
      creds = InsecureChannelCredentials.create();
    } else {
      TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder().trustManager(new File(o.ca()));
      if (o.cert() != null) {
        b.keyManager(new File(o.cert()), new File(o.key()));
      }
      creds = b.build();
    }
    return Grpc.newChannelBuilderForAddress(o.address().substring(0, colon),
            Integer.parseInt(o.address().substring(colon + 1)), creds)
        // Callbacks only record a number and complete a future: no need for a thread hop.
        .directExecutor()
        .build();
  }

  private static Map<String, Object> promptInfo(LoadOptions o, List<String> prompts) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("source", o.promptsFile() != null ? o.promptsFile().getFileName().toString() : "generated");
    m.put("count", prompts.size());
    int[] lens = prompts.stream().mapToInt(String::length).sorted().toArray();
    m.put("chars_min", lens[0]);
    m.put("chars_median", lens[lens.length / 2]);
    m.put("chars_max", lens[lens.length - 1]);
    return m;
  }

  private static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    return m;
  }

  private static Map<String, Object> json(Stats.Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("label", r.label());
    m.put("target", r.target());
    m.put("mode", r.mode());
    if (r.concurrency() > 0) {
      m.put("concurrency", r.concurrency());
    }
    if (r.offered() > 0) {
      m.put("offered_per_s", round(r.offered()));
    }
    m.put("unit", r.unit());
    m.put("seconds", r.seconds());
    m.put("count", r.count());
    m.put("errors", r.errors());
    m.put("shed", r.shed());
    m.put("throughput_per_s", round(r.throughput()));
    m.put("latency_ms", percentiles(r.latency()));
    if (r.batchLatency() != null) {
      m.put("stream_latency_ms", percentiles(r.batchLatency()));
    }
    if (r.sendLag() != null) {
      m.put("send_lag_ms", percentiles(r.sendLag()));
      m.put("late_sends", r.lateSends());
    }
    if (r.fanOut() != null) {
      m.put("fanout_ms", percentiles(r.fanOut()));
    }
    m.put("status_codes", r.codes());
    if (!r.failures().isEmpty()) {
      m.put("first_failures", r.failures());
    }
    m.put("decisions", r.decisions());
    return m;
  }

  private static Map<String, Object> percentiles(org.HdrHistogram.Histogram h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("p50", round(h.getValueAtPercentile(50) / 1e3));
    m.put("p90", round(h.getValueAtPercentile(90) / 1e3));
    m.put("p99", round(h.getValueAtPercentile(99) / 1e3));
    m.put("p99_9", round(h.getValueAtPercentile(99.9) / 1e3));
    m.put("max", round(h.getMaxValue() / 1e3));
    m.put("mean", round(h.getMean() / 1e3));
    return m;
  }

  /** The human report: one row per run, latencies in milliseconds. */
  static String table(List<Stats.Result> results) {
    StringBuilder sb = new StringBuilder();
    String head = String.format(Locale.ROOT, "%-30s %-6s %8s %7s %5s %10s %8s %8s %8s %8s %8s%n",
        "run", "target", "count", "errors", "shed", "thrpt/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms");
    sb.append(head).append("-".repeat(head.length() - 1)).append('\n');
    for (Stats.Result r : results) {
      sb.append(String.format(Locale.ROOT, "%-30s %-6s %8d %7d %5d %10.1f %8.3f %8.3f %8.3f %8.3f %8.3f%n",
          r.label(), r.target(), r.count(), r.errors(), r.shed(), r.throughput(),
          r.ms(50), r.ms(90), r.ms(99), r.ms(99.9), r.maxMs()));
      if (r.batchLatency() != null) {
        var b = r.batchLatency();
        sb.append(String.format(Locale.ROOT, "%-30s %-6s %8d %7s %5s %10s %8.3f %8.3f %8.3f %8.3f %8.3f%n",
            "  per stream", "", b.getTotalCount(), "", "", "",
            b.getValueAtPercentile(50) / 1e3, b.getValueAtPercentile(90) / 1e3, b.getValueAtPercentile(99) / 1e3,
            b.getValueAtPercentile(99.9) / 1e3, b.getMaxValue() / 1e3));
      }
      if (r.sendLag() != null) {
        var l = r.sendLag();
        // Over 1 % late sends moves the p99 itself.
        String behind = r.lateSends() * 100 > l.getTotalCount()
            ? " (the generator fell behind: latencies include its wait)" : "";
        sb.append(String.format(Locale.ROOT,
            "  send lag: p50 %.3f ms, p99 %.3f ms, max %.3f ms; %d of %d sends over %d ms late%s%n",
            l.getValueAtPercentile(50) / 1e3, l.getValueAtPercentile(99) / 1e3, l.getMaxValue() / 1e3,
            r.lateSends(), l.getTotalCount(), TimeUnit.NANOSECONDS.toMillis(Stats.LATE_NANOS), behind));
      }
      if (r.fanOut() != null) {
        var f = r.fanOut();
        sb.append(String.format(Locale.ROOT,
            "  front door's fan-out stage (its calls to the modality services): p50 %.3f ms, p90 %.3f ms, p99 %.3f ms%n",
            f.getValueAtPercentile(50) / 1e3, f.getValueAtPercentile(90) / 1e3, f.getValueAtPercentile(99) / 1e3));
      }
      if (!r.codes().keySet().equals(Set.of("OK"))) {
        sb.append("  status codes: ").append(r.codes()).append('\n');
        r.failures().forEach((code, d) -> sb.append("  first ").append(code).append(": ").append(d).append('\n'));
      }
      sb.append("  decisions: ").append(r.decisions()).append('\n');
    }
    return sb.toString();
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
