package io.screenmesh.tests;

import static io.screenmesh.tests.Screening.image;
import static io.screenmesh.tests.Screening.item;
import static io.screenmesh.tests.Screening.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.ModalityOutcome;
import io.screenmesh.fusion.v1.PartResult;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The front door driven at three times its measured capacity (front door and text-screening
 * with {@code -Xmx256m}) by an open loop whose callers time out (1 s deadlines) and cancel (one call in ten, 5 ms after it
 * was sent): every call gets a verdict or an explicit status (DEADLINE_EXCEEDED, CANCELLED, or
 * RESOURCE_EXHAUSTED with a reason), no part is lost to a connection-wide failure (a GOAWAY,
 * a PROTOCOL_ERROR, a transport status without our ErrorInfo), and the front door's log
 * names none. Latency and the heap after GC are printed, not asserted (a shared test machine's
 * timings are not a property of the code); bench/overload.sh records them.
 *
 * <p>Bounded for the test suite: 4 s unloaded, 4 s to measure capacity, 20 s of overload.
 * {@code -Dscreenmesh.overload.seconds=600} is the 10-minute run (bench/overload.sh).
 */
class OverloadIT {

  private static final long OVERLOAD_SECONDS = Long.getLong("screenmesh.overload.seconds", 20);
  private static final long MEASURE_SECONDS = 4;
  private static final long DEADLINE_MS = 1_000;
  private static final Pattern CONNECTION_FAILURE =
      Pattern.compile("GOAWAY|ENHANCE_YOUR_CALM|PROTOCOL_ERROR|Bandwidth exhausted|Connection closed");

  @Test
  void threeTimesCapacityWithTimeoutsAndCancellationsGetsEveryCallAnAnswerAndNoConnectionFailure() throws Exception {
    try (Mesh mesh = Mesh.start("overload",
        Map.of(MeshService.FUSION, List.of("-Xmx256m"), MeshService.TEXT, List.of("-Xmx256m")))) {
      FusionCheckerServiceGrpc.FusionCheckerServiceStub front =
          FusionCheckerServiceGrpc.newStub(mesh.channel(MeshService.FUSION));
      byte[] thumb = Samples.png(Samples.gradient(32, 32));
      closedLoop(front, thumb, 4, 2);

      Run unloaded = closedLoop(front, thumb, 1, MEASURE_SECONDS);
      Run capacity = closedLoop(front, thumb, 16, MEASURE_SECONDS);
      long heapBefore = heapAfterGc(mesh);
      double rate = 3 * capacity.throughput();
      Run overload = openLoop(front, thumb, rate, OVERLOAD_SECONDS);
      long heapAfter = heapAfterGc(mesh);
      String log = Files.readString(mesh.logFile(MeshService.FUSION), StandardCharsets.UTF_8);
      Matcher m = CONNECTION_FAILURE.matcher(log);
      List<String> logged = new ArrayList<>();
      while (m.find() && logged.size() < 5) {
        int start = log.lastIndexOf('\n', m.start()) + 1;
        int end = log.indexOf('\n', m.end());
        logged.add(log.substring(start, end < 0 ? log.length() : end));
      }

      System.out.printf(Locale.ROOT, "overload: unloaded %s%ncapacity %s%noverload at %.1f/s %s%n"
          + "front-door heap after GC: %d KiB before, %d KiB after%n",
          unloaded, capacity, rate, overload, heapBefore / 1024, heapAfter / 1024);
      assertEquals(overload.sent.get(), overload.answered(), "calls without an answer: " + overload);
      assertEquals(List.of(), overload.unexpected, "calls answered with a status that is not explicit");
      assertEquals(List.of(), overload.lostParts, "parts lost to a connection-wide failure");
      assertEquals(List.of(), logged, "the front door logged a connection-wide failure");
      assertTrue(overload.verdicts.get() > 0, "no call got a verdict under overload: " + overload);
      assertTrue(mesh.isAlive(MeshService.FUSION), "the front door died");
    }
  }

  /** What one load phase saw. */
  private static final class Run {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong verdicts = new AtomicLong();
    final Map<Status.Code, AtomicInteger> statuses = new ConcurrentHashMap<>();
    final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
    final List<String> lostParts = Collections.synchronizedList(new ArrayList<>());
    // latencies of calls whose parts were all screened, in microseconds
    final List<Long> accepted = Collections.synchronizedList(new ArrayList<>());
    long nanos;

    long answered() {
      return verdicts.get() + statuses.values().stream().mapToLong(AtomicInteger::get).sum();
    }

    double throughput() {
      return verdicts.get() / (nanos / 1e9);
    }

    double p(double q) {
      long[] a;
      synchronized (accepted) {
        a = accepted.stream().mapToLong(Long::longValue).toArray();
      }
      if (a.length == 0) {
        return Double.NaN;
      }
      Arrays.sort(a);
      return a[Math.min(a.length - 1, (int) Math.ceil(q * a.length) - 1)] / 1000.0;
    }

    void verdict(ScreenItemResponse r, long startNanos) {
      boolean screened = true;
      for (PartResult p : r.getPartsList()) {
        if (p.getOutcome() == ModalityOutcome.MODALITY_OUTCOME_SCREENED) {
          continue;
        }
        screened = false;
        Status.Code code = Status.fromCodeValue(p.getError().getCode()).getCode();
        boolean explicit = code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.CANCELLED
            || "SERVER_BUSY".equals(p.getError().getReason());
        if (!explicit) {
          lostParts.add(r.getId() + "/" + p.getPartId() + ": " + p.getOutcome() + " " + p.getError());
        }
      }
      if (screened) {
        accepted.add((System.nanoTime() - startNanos) / 1000);
      }
      verdicts.incrementAndGet();
    }

    void failed(String id, Throwable t) {
      Status s = Status.fromThrowable(t);
      statuses.computeIfAbsent(s.getCode(), k -> new AtomicInteger()).incrementAndGet();
      boolean explicit = s.getCode() == Status.Code.DEADLINE_EXCEEDED || s.getCode() == Status.Code.CANCELLED
          || (s.getCode() == Status.Code.RESOURCE_EXHAUSTED && t instanceof StatusRuntimeException e
              && Screening.reason(e) != null);
      if (!explicit) {
        unexpected.add(id + ": " + s);
      }
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "sent %d, verdicts %d (%.1f/s), statuses %s, accepted p50 %.2f ms p99 %.2f ms",
          sent.get(), verdicts.get(), throughput(), statuses, p(0.50), p(0.99));
    }
  }

  private static ScreenItemRequest request(String id, long n, byte[] thumb) {
    String prompt = "Question " + n + ": how long should I boil an egg for a soft yolk?";
    return n % 4 == 0 ? item(id, text("q", prompt), image("i", thumb)) : item(id, text("q", prompt));
  }

  private static StreamObserver<ScreenItemResponse> observer(Run run, String id, long start, CountDownLatch done) {
    // A call is counted by how it ended: a response can arrive and the deadline still end the
    // call before its OK status, and then the caller has a failed call, not a verdict.
    return new StreamObserver<>() {
      private ScreenItemResponse response;

      @Override
      public void onNext(ScreenItemResponse r) {
        response = r;
      }

      @Override
      public void onError(Throwable t) {
        run.failed(id, t);
        done.countDown();
      }

      @Override
      public void onCompleted() {
        run.verdict(response, start);
        done.countDown();
      }
    };
  }

  /** {@code callers} callers, each with one call in flight, for {@code seconds}. */
  private static Run closedLoop(FusionCheckerServiceGrpc.FusionCheckerServiceStub front, byte[] thumb, int callers,
      long seconds) throws InterruptedException {
    Run run = new Run();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      threads.add(Thread.ofPlatform().start(() -> {
        while (System.nanoTime() < end) {
          long n = run.sent.incrementAndGet();
          CountDownLatch done = new CountDownLatch(1);
          long t0 = System.nanoTime();
          front.withDeadlineAfter(Screening.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
              .screenItem(request("closed-" + n, n, thumb), observer(run, "closed-" + n, t0, done));
          try {
            done.await(Screening.CALL_DEADLINE_SECONDS + 5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            return;
          }
        }
      }));
    }
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(seconds + Screening.CALL_DEADLINE_SECONDS + 10));
    }
    run.nanos = System.nanoTime() - start;
    return run;
  }

  /**
   * Sends at {@code rate} calls per second for {@code seconds}, whatever comes back, each with
   * a {@value #DEADLINE_MS} ms deadline; one call in ten is cancelled 5 ms after it was sent.
   * Waits, bounded, for every call's end.
   */
  private static Run openLoop(FusionCheckerServiceGrpc.FusionCheckerServiceStub front, byte[] thumb, double rate,
      long seconds) throws InterruptedException {
    Run run = new Run();
    int total = (int) Math.max(1, rate * seconds);
    CountDownLatch done = new CountDownLatch(total);
    long start = System.nanoTime();
    long interval = (long) (1e9 / rate);
    List<Context.CancellableContext> toCancel = Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.ScheduledExecutorService cancels = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try {
      for (int n = 0; n < total; n++) {
        long due = start + n * interval;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        run.sent.incrementAndGet();
        String id = "open-" + n;
        long t0 = System.nanoTime();
        Context.CancellableContext ctx = Context.current().withCancellation();
        StreamObserver<ScreenItemResponse> o = observer(run, id, t0, done);
        int k = n;
        ctx.run(() -> front.withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS).screenItem(request(id, k, thumb), o));
        if (n % 10 == 0) {
          cancels.schedule(() -> ctx.cancel(null), 5, TimeUnit.MILLISECONDS);
        }
      }
      done.await(DEADLINE_MS + 30_000, TimeUnit.MILLISECONDS);
    } finally {
      cancels.shutdownNow();
    }
    run.nanos = System.nanoTime() - start;
    return run;
  }

  /** The front door's heap in use right after a full GC ({@code jcmd GC.run}, {@code GC.heap_info}), in bytes. */
  private static long heapAfterGc(Mesh mesh) throws Exception {
    long pid = mesh.pid(MeshService.FUSION);
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    exec(jcmd, Long.toString(pid), "GC.run");
    String info = exec(jcmd, Long.toString(pid), "GC.heap_info");
    Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
    if (!m.find()) {
      throw new AssertionError("no heap figure in jcmd GC.heap_info: " + info);
    }
    return Long.parseLong(m.group(1)) * 1024;
  }

  private static String exec(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not finish within 60 s");
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
