package io.screenmesh.bench.jmh;

import io.screenmesh.bench.jmh.SuiteOptions.Group;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the hot-path benchmarks beside their peers and reports throughput, the peer's throughput
 * from the same run and the ratio, per operation and backend ({@code ./screenmesh bench}).
 *
 * <p>For each selected hot path the peers run first, then the JMH benchmarks, so both see the same
 * machine load; shared machines drift, ratios from one run hold better than absolute figures.
 * Backends that cannot start are reported as skipped with their reason. System properties:
 * <ul>
 *   <li>{@code screenmesh.bench.peers}: the peer scripts' folder (default {@code ../shared/peers});</li>
 *   <li>{@code screenmesh.bench.logs}: where JMH and peer logs go (default {@code bench/target/bench-logs});</li>
 *   <li>{@code screenmesh.bench.python}: the interpreter with numpy and scipy (default {@code /usr/bin/python3});</li>
 *   <li>the suite's own JVM options, {@code -Dscreenmesh.*} backend settings included, reach every benchmark fork.</li>
 * </ul>
 */
public final class BenchSuite {
    /** Bit depth must reach this fraction of the memory-copy bandwidth measured in the same run. */
    static final double MEMBW_FRACTION_TARGET = 0.8;
    private static final long PEER_TIMEOUT_MINUTES = 15;
    /** Timed repeats of each peer figure in {@code --quick} (the peers use 5 to 9; the median is reported). */
    static final int QUICK_PEER_REPEATS = 3;
    private static final String QUICK_PEER = String.join("\n",
            "import runpy, sys",
            "sys.path.insert(0, '.')",
            "import common",
            "full = common.bench",
            "common.bench = lambda fn, repeats=7, warmup=1: full(fn, repeats=min(repeats, " + QUICK_PEER_REPEATS + "), warmup=warmup)",
            "sys.argv = sys.argv[1:]",
            "runpy.run_path(sys.argv[0], run_name='__main__')");

    /** A peer figure: the script (with arguments), the prefix of its report line, and a label. */
    record Peer(List<String> command, String prefix, String label) {
        String key() {
            return String.join(" ", command);
        }
    }

    /**
     * One reported operation: a JMH benchmark method (with fixed parameters), how many units one
     * operation counts, and its peers; the first peer carries the ratio target when there is one.
     * {@code fullOnly} operations are left out of {@code --quick}; {@code skipJava} ones are not run
     * on the java oracle, whose batch would take minutes there.
     */
    record Op(String id, Group group, String benchmark, Map<String, String> params, double unitsPerOp, String unit,
              List<Peer> peers, Double ratioTarget, boolean fullOnly, boolean skipJava) {
        Op(String id, Group group, String benchmark, Map<String, String> params, double unitsPerOp, String unit,
           List<Peer> peers, Double ratioTarget, boolean fullOnly) {
            this(id, group, benchmark, params, unitsPerOp, unit, peers, ratioTarget, fullOnly, false);
        }

        /** Whether the benchmark has a backend parameter (the memory copy and text screening have none). */
        boolean perBackend() {
            return !benchmark.startsWith("MemoryCopyBenchmark") && !benchmark.startsWith("TextScreeningBenchmark");
        }
    }

    private static final String PKG = "io.screenmesh.bench.jmh.";
    private static final List<String> IMAGE = List.of("bench_image.py");
    private static final List<String> AUDIO = List.of("bench_audio.py");
    private static final List<String> MEMBW = List.of("bench_membw.py");
    /** Bytes of one float32 image of the squeeze batch. */
    private static final double IMAGE_BYTES = SqueezeBenchmark.SHAPE.elements() * (double) Float.BYTES / SqueezeBenchmark.BATCH;

    /** Every operation the suite reports, in report order. */
    static final List<Op> OPS = List.of(
            new Op("memcopy-2threads", Group.SQUEEZE, "MemoryCopyBenchmark.segmentCopy", Map.of(),
                    MemoryCopyBenchmark.BYTES / 1e9, "GB/s",
                    List.of(new Peer(MEMBW, "copy 1 GiB, 2 threads", "numpy copyto, 2 threads")), null, false),
            new Op("memcopy-2threads-heap", Group.SQUEEZE, "MemoryCopyBenchmark.arrayCopy", Map.of(),
                    MemoryCopyBenchmark.BYTES / 1e9, "GB/s",
                    List.of(new Peer(MEMBW, "copy 1 GiB, 2 threads", "numpy copyto, 2 threads")), null, true),
            new Op("bitdepth5-f32", Group.SQUEEZE, "SqueezeBenchmark.bitDepth5", Map.of(), SqueezeBenchmark.BATCH, "img/s",
                    List.of(new Peer(IMAGE, "numpy in-place", "numpy in place rint(x*31)/31"),
                            new Peer(IMAGE, "ART FeatureSqueezing", "ART FeatureSqueezing")), null, false),
            new Op("median3x3-f32", Group.SQUEEZE, "SqueezeBenchmark.median3x3", Map.of(), SqueezeBenchmark.BATCH, "img/s",
                    List.of(new Peer(IMAGE, "ART SpatialSmoothing median 3x3", "ART SpatialSmoothing 3x3")), 200.0, false),
            new Op("median2x2-f32", Group.SQUEEZE, "SqueezeBenchmark.median2x2", Map.of(), SqueezeBenchmark.BATCH, "img/s",
                    List.of(new Peer(IMAGE, "ART SpatialSmoothing median 2x2", "ART SpatialSmoothing 2x2")), 200.0, false),
            new Op("stft-gate-istft", Group.SPECTRAL, "SpectralBenchmark.gate", Map.of(), SpectralBenchmark.SECONDS, "audio-s/s",
                    List.of(new Peer(AUDIO, "minimal stft->gate->istft", "scipy stft->gate->istft"),
                            new Peer(AUDIO, "noisereduce-stationary replica", "noisereduce stationary (numpy/scipy)")),
                    10.0, false),
            new Op("lowpass-fir101", Group.SPECTRAL, "SpectralBenchmark.lowPass", Map.of(), SpectralBenchmark.SECONDS, "audio-s/s",
                    List.of(new Peer(AUDIO, "low-pass fftconvolve FIR 101 taps", "scipy fftconvolve FIR 101"),
                            new Peer(AUDIO, "low-pass lfilter FIR 101 taps", "scipy lfilter FIR 101")), null, false),
            new Op("cosine-top10-100k", Group.SIMILARITY, "SimilarityBenchmark.topK", Map.of("references", "100000"),
                    SimilarityBenchmark.QUERIES, "queries/s",
                    List.of(new Peer(List.of("bench_embed.py"), "cosine top-10 total", "numpy + OpenBLAS")), 4.0, false),
            new Op("cosine-top10-1m", Group.SIMILARITY, "SimilarityBenchmark.topK", Map.of("references", "1000000"),
                    SimilarityBenchmark.QUERIES, "queries/s",
                    List.of(new Peer(List.of("bench_embed.py", "1000000", "384"), "cosine top-10 total", "numpy + OpenBLAS")),
                    null, true, true),
            new Op("text-screen-mix", Group.TEXT, "TextScreeningBenchmark.screenAll", Map.of(),
                    TextScreeningBenchmark.PROMPT_COUNT, "texts/s", List.of(), null, false));

    private final SuiteOptions options;
    private final Path peers;
    private final Path logs;
    private final String python;

    BenchSuite(SuiteOptions options, Path peers, Path logs, String python) {
        this.options = options;
        this.peers = peers;
        this.logs = logs;
        this.python = python;
    }

    /**
     * Runs the suite; prints the table (or JSON with {@code --json}) on standard output and progress on standard error.
     * Exits 2 on bad arguments.
     */
    public static void main(String[] args) throws IOException, RunnerException, InterruptedException {
        SuiteOptions options;
        try {
            options = SuiteOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println(SuiteOptions.USAGE);
            System.exit(2);
            return;
        }
        Path peers = Path.of(System.getProperty("screenmesh.bench.peers", "../shared/peers")).toAbsolutePath().normalize();
        Path logs = Path.of(System.getProperty("screenmesh.bench.logs", "bench/target/bench-logs")).toAbsolutePath().normalize();
        String python = System.getProperty("screenmesh.bench.python", "/usr/bin/python3");
        Files.createDirectories(logs);
        List<Result> results = new BenchSuite(options, peers, logs, python).run();
        String json = Result.toJson(results);
        if (options.out() != null) {
            Path parent = options.out().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(options.out(), json, StandardCharsets.UTF_8);
            System.err.println("bench: results written to " + options.out());
        }
        System.out.print(options.json() ? json : Result.toTable(results));
        System.out.flush();
    }

    List<Result> run() throws IOException, RunnerException, InterruptedException {
        Optional<String> peersMissing = checkPeers();
        peersMissing.ifPresent(why -> System.err.println("bench: PEERS UNAVAILABLE, ratios omitted: " + why));
        Map<String, Optional<String>> backends = selectedBackends();
        List<String> runnable = backends.entrySet().stream().filter(e -> e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
        backends.forEach((id, why) -> why.ifPresent(w -> System.err.println("bench: backend " + id + " skipped: " + w)));

        List<Result> results = new ArrayList<>();
        for (Group group : options.groups()) {
            List<Op> ops = OPS.stream().filter(o -> o.group() == group && (!o.fullOnly() || !options.quick())).toList();
            Map<String, PeerOutput> peerOutputs = new HashMap<>();
            Map<String, String> peerFailures = new HashMap<>();
            if (peersMissing.isEmpty()) {
                for (Op op : ops) {
                    for (Peer peer : op.peers()) {
                        if (!peerOutputs.containsKey(peer.key()) && !peerFailures.containsKey(peer.key())) {
                            runPeer(peer, peerOutputs, peerFailures);
                        }
                    }
                }
            }
            Map<String, RunResult> jmh = new HashMap<>();
            for (Op op : ops) {
                jmh.putAll(runJmh(op, runnable.stream().filter(id -> !(op.skipJava() && id.equals("java"))).toList()));
            }
            for (Op op : ops) {
                results.addAll(report(op, backends, jmh, peersMissing, peerOutputs, peerFailures));
            }
        }
        return withBandwidth(results);
    }

    /** The report lines of one operation: one per backend and peer, or one per backend without a figure. */
    private List<Result> report(Op op, Map<String, Optional<String>> backends, Map<String, RunResult> jmh,
                                Optional<String> peersMissing, Map<String, PeerOutput> peerOutputs,
                                Map<String, String> peerFailures) {
        List<Result> results = new ArrayList<>();
        boolean perBackend = op.perBackend();
        List<String> ids = perBackend ? List.copyOf(backends.keySet()) : List.of("jvm");
        for (String id : ids) {
            Optional<String> skipped = perBackend ? backends.get(id) : Optional.empty();
            RunResult run = jmh.get(key(op, perBackend ? id : null));
            Double value = null;
            Double error = null;
            String status = "ok";
            String reason = null;
            if (skipped.isPresent()) {
                status = "skipped";
                reason = skipped.get();
            } else if (op.skipJava() && id.equals("java")) {
                status = "skipped";
                reason = "not run on " + op.id() + ": the java oracle takes minutes per batch at this size";
            } else if (run == null) {
                status = "failed";
                Path log = jmhLog(op);
                reason = JmhLog.failure(log, PKG + op.benchmark(), perBackend ? id : null)
                        .map(why -> why + "; see " + log).orElse("no JMH result; see " + log);
            } else {
                value = run.getPrimaryResult().getScore() * op.unitsPerOp();
                double e = run.getPrimaryResult().getScoreError();
                error = Double.isNaN(e) ? null : e * op.unitsPerOp();
            }
            if (op.peers().isEmpty()) {
                results.add(new Result(op.id(), perBackend ? id : "jvm", op.unit(), value, error, null, null, null,
                        status, reason, null, null, null, null, null));
                continue;
            }
            // a backend without a figure gets one line per operation, not one per peer
            int peerCount = value == null ? 1 : op.peers().size();
            for (int p = 0; p < peerCount; p++) {
                Peer peer = op.peers().get(p);
                Double peerValue = null;
                String peerWhy = peersMissing.orElse(peerFailures.get(peer.key()));
                PeerOutput out = peerOutputs.get(peer.key());
                if (out != null) {
                    Optional<PeerOutput.Figure> figure = out.find(peer.prefix());
                    if (figure.isPresent()) {
                        peerValue = figure.get().value();
                    } else {
                        peerWhy = "peer printed no line starting '" + peer.prefix() + "'";
                    }
                }
                Double ratio = value != null && peerValue != null && peerValue > 0 ? value / peerValue : null;
                // the targets are for the accelerated backends; java is the oracle and the fallback
                Double target = p == 0 && !id.equals("java") ? op.ratioTarget() : null;
                Boolean met = target != null && ratio != null ? ratio >= target : null;
                String why = reason != null ? reason : peerValue == null ? "peer: " + peerWhy : null;
                results.add(new Result(op.id(), perBackend ? id : "jvm", op.unit(), value, error, peer.label(),
                        peerValue, ratio, status, why, target, met, null, null, null));
            }
        }
        return results;
    }

    /** Judges bit depth against the best memory-copy bandwidth of this run (ours or numpy's). */
    static List<Result> withBandwidth(List<Result> results) {
        double membw = 0;
        for (Result r : results) {
            if (r.op().startsWith("memcopy")) {
                membw = Math.max(membw, r.value() == null ? 0 : r.value());
                membw = Math.max(membw, r.peerValue() == null ? 0 : r.peerValue());
            }
        }
        if (membw == 0) {
            return results;
        }
        List<Result> out = new ArrayList<>(results.size());
        for (Result r : results) {
            if (r.op().startsWith("bitdepth") && r.value() != null && r.peer() != null && r.peer().startsWith("numpy")) {
                // each value is read once and written once, counted like the copy (read + write)
                double bandwidth = r.value() * IMAGE_BYTES * 2 / 1e9;
                out.add(r.withBandwidth(membw, bandwidth, r.backend().equals("java") ? null : MEMBW_FRACTION_TARGET));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    private Map<String, Optional<String>> selectedBackends() {
        Map<String, Optional<String>> all = Backends.probe();
        if (options.backends().isEmpty()) {
            return all;
        }
        Map<String, Optional<String>> chosen = new LinkedHashMap<>();
        for (String id : options.backends()) {
            chosen.put(id, all.getOrDefault(id, Optional.of("unknown backend")));
        }
        return chosen;
    }

    private Optional<String> checkPeers() throws IOException, InterruptedException {
        if (!Files.isRegularFile(peers.resolve("common.py"))) {
            return Optional.of("no peer scripts at " + peers + " (expected ../shared/peers beside the repository;"
                    + " set -Dscreenmesh.bench.peers=DIR or SCREENMESH_PEERS=DIR)");
        }
        if (!Files.isExecutable(Path.of(python))) {
            return Optional.of(python + " not found; the peers need Debian's python3 with python3-numpy python3-scipy");
        }
        Process p = new ProcessBuilder(python, "-c", "import numpy, scipy").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            return Optional.of(python + " cannot import numpy and scipy (apt-get install -y python3-numpy python3-scipy): "
                    + out.strip());
        }
        return Optional.empty();
    }

    private void runPeer(Peer peer, Map<String, PeerOutput> outputs, Map<String, String> failures)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(python);
        if (options.quick()) {
            // The same peer computation with at most QUICK_PEER_REPEATS timed repeats: the peers'
            // shared timing helper is wrapped before the script runs as __main__.
            command.addAll(List.of("-c", QUICK_PEER));
        }
        command.addAll(peer.command());
        Path log = logs.resolve("peer-" + String.join("-", peer.command()).replace(".py", "") + ".log");
        System.err.println("bench: peer " + String.join(" ", peer.command()) + " (log " + log + ")");
        Process p = new ProcessBuilder(command).directory(peers.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(PEER_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            failures.put(peer.key(), "peer timed out after " + PEER_TIMEOUT_MINUTES + " min; see " + log);
            return;
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            failures.put(peer.key(), "peer exited " + p.exitValue() + "; see " + log);
            return;
        }
        outputs.put(peer.key(), PeerOutput.parse(text));
    }

    private Path jmhLog(Op op) {
        return logs.resolve("jmh-" + op.id() + ".log");
    }

    /** Runs one operation on the given backends (the memory copy has no backend) in a JMH fork each. */
    private Map<String, RunResult> runJmh(Op op, List<String> backends) throws RunnerException {
        Map<String, RunResult> byKey = new HashMap<>();
        if (op.perBackend() && backends.isEmpty()) {
            return byKey;
        }
        ChainedOptionsBuilder b = new OptionsBuilder().include("^" + (PKG + op.benchmark()).replace(".", "\\.") + "$");
        op.params().forEach((k, v) -> b.param(k, v));
        if (op.perBackend()) {
            b.param("backend", backends.toArray(String[]::new));
        }
        Path log = jmhLog(op);
        System.err.println("bench: JMH " + op.id() + (!op.perBackend() ? "" : " on " + backends) + " (log " + log + ")");
        b.forks(1)
                .warmupIterations(options.quick() ? 1 : 3)
                .warmupTime(TimeValue.seconds(options.quick() ? 1 : 2))
                .measurementIterations(options.quick() ? 2 : 5)
                .measurementTime(TimeValue.seconds(options.quick() ? 1 : 2))
                .jvmArgsAppend(forkArgs())
                .shouldFailOnError(false)
                .output(log.toString());
        for (RunResult r : new Runner(b.build()).run()) {
            byKey.put(key(op, !op.perBackend() ? null : r.getParams().getParam("backend")), r);
        }
        return byKey;
    }

    private static String key(Op op, String backend) {
        return op.id() + "/" + backend;
    }

    // JMH starts each fork with this JVM's own options (so -Dscreenmesh.* settings reach the
    // backends) followed by these.
    private String[] forkArgs() {
        return new String[] {"-Xms1g", "-Xmx6g", "--enable-native-access=ALL-UNNAMED",
            // JMH 1.37 reads field offsets through sun.misc.Unsafe, which JDK 24+ warns about
            "--sun-misc-unsafe-memory-access=allow",
            // a crashing backend leaves its report with the logs, not in the working directory
            "-XX:ErrorFile=" + logs.resolve("hs_err_pid%p.log")};
    }
}
