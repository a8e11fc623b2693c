package io.screenmesh.bench.load;

import io.grpc.Status;
import io.screenmesh.common.v1.Decision;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Collects what a measured run saw, from many threads at once: latencies in an HdrHistogram
 * {@link Recorder} (microseconds, three significant digits, up to one hour), and counts of
 * status codes and decisions.
 */
final class Stats {

  private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

  /** A send more than this late counts as late (open loop). */
  static final long LATE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final Recorder latency = new Recorder(MAX_MICROS, 3);
  private final Recorder batchLatency = new Recorder(MAX_MICROS, 3);
  private final Recorder sendLag = new Recorder(MAX_MICROS, 3);
  private final Recorder fanOut = new Recorder(MAX_MICROS, 3);
  private final LongAdder lateSends = new LongAdder();
  private final Map<Status.Code, LongAdder> codes = new ConcurrentHashMap<>();
  private final Map<Decision, LongAdder> decisions = new ConcurrentHashMap<>();
  private final LongAdder shed = new LongAdder();
  // The first description seen per failing code: enough to tell a bug from an overload.
  private final Map<Status.Code, String> firstFailure = new ConcurrentHashMap<>();

  /** Records one call or stream item that took {@code nanos} and ended with {@code outcome}. */
  void record(long nanos, Target.Outcome outcome) {
    latency.recordValue(Math.min(MAX_MICROS, Math.max(0, nanos / 1_000)));
    codes.computeIfAbsent(outcome.code(), c -> new LongAdder()).increment();
    if (outcome.code() == Status.Code.OK) {
      decisions.computeIfAbsent(outcome.decision(), d -> new LongAdder()).increment();
      if (outcome.fanOutMicros() >= 0) {
        fanOut.recordValue(Math.min(MAX_MICROS, outcome.fanOutMicros()));
      }
    } else {
      firstFailure.putIfAbsent(outcome.code(), outcome.detail());
    }
  }

  /** Records the time from a stream's first request to its end. */
  void recordBatch(long nanos) {
    batchLatency.recordValue(Math.min(MAX_MICROS, Math.max(0, nanos / 1_000)));
  }

  /** Records a stream item that never got an answer (the stream ended first). */
  void recordMissing(Status streamEnd) {
    Status.Code code = streamEnd.isOk() ? Status.Code.DATA_LOSS : streamEnd.getCode();
    codes.computeIfAbsent(code, c -> new LongAdder()).increment();
    firstFailure.putIfAbsent(code, streamEnd.isOk() ? "the stream ended OK without answering the item"
        : "the stream ended: " + (streamEnd.getDescription() == null ? "" : streamEnd.getDescription()));
  }

  /**
   * Records how long after its scheduled time an open-loop call was sent. A late send means
   * the load generator itself could not keep the rate (its thread did not get the CPU in
   * time, or it was busy sending earlier calls): the measured latencies, which count from the
   * scheduled time, then include that wait.
   */
  void recordSendLag(long nanos) {
    sendLag.recordValue(Math.min(MAX_MICROS, Math.max(0, nanos / 1_000)));
    if (nanos > LATE_NANOS) {
      lateSends.increment();
    }
  }

  /** Counts an open-loop arrival that was not sent because too many calls were in flight. */
  void recordShed() {
    shed.increment();
  }

  /**
   * The result of the run so far.
   *
   * @param label what the run was, for the report
   * @param seconds the measured window
   * @param offered calls per second offered (open loop), or 0
   * @param concurrency callers or streams, or 0
   * @param unit {@code calls} or {@code items}
   */
  Result result(String label, String target, String mode, double seconds, double offered, int concurrency, String unit) {
    Histogram h = latency.getIntervalHistogram();
    Histogram b = batchLatency.getIntervalHistogram();
    Histogram lag = sendLag.getIntervalHistogram();
    Histogram fan = fanOut.getIntervalHistogram();
    Map<String, Long> c = new TreeMap<>();
    codes.forEach((k, n) -> c.put(k.name(), n.sum()));
    Map<String, Long> d = new TreeMap<>();
    Map<Decision, Long> byDecision = new EnumMap<>(Decision.class);
    decisions.forEach((k, n) -> byDecision.put(k, n.sum()));
    byDecision.forEach((k, n) -> d.put(k.name().replace("DECISION_", ""), n));
    long ok = c.getOrDefault("OK", 0L);
    long total = h.getTotalCount();
    Map<String, String> f = new TreeMap<>();
    firstFailure.forEach((k, s) -> f.put(k.name(), s));
    return new Result(label, target, mode, concurrency, offered, unit, total, total - ok, shed.sum(), seconds,
        total / seconds, h, b.getTotalCount() == 0 ? null : b, lag.getTotalCount() == 0 ? null : lag,
        lateSends.sum(), fan.getTotalCount() == 0 ? null : fan, c, d, f);
  }

  /**
   * A finished run.
   *
   * @param count calls (or stream items) measured
   * @param errors of those, the ones that did not end OK
   * @param shed open-loop arrivals not sent because too many calls were in flight
   * @param throughput measured calls (items) per second
   * @param latency per call (per item, from its stream's start) in microseconds
   * @param batchLatency per stream in microseconds, or null outside batch mode
   * @param sendLag how late each call was sent after its scheduled time, in microseconds
   *     (open loop), or null
   * @param lateSends sends more than {@link #LATE_NANOS} late (open loop)
   * @param fanOut the front door's {@code fanout} stage of each answered call in microseconds
   *     (its outbound calls as it timed them: the latency less this is the front door's own
   *     part), or null when the answers carry none
   * @param failures the first status description seen for each failing code
   */
  record Result(String label, String target, String mode, int concurrency, double offered, String unit,
      long count, long errors, long shed, double seconds, double throughput, Histogram latency,
      Histogram batchLatency, Histogram sendLag, long lateSends, Histogram fanOut, Map<String, Long> codes,
      Map<String, Long> decisions, Map<String, String> failures) {

    /** A latency percentile in milliseconds. */
    double ms(double percentile) {
      return latency.getValueAtPercentile(percentile) / 1_000.0;
    }

    /** The largest latency in milliseconds. */
    double maxMs() {
      return latency.getMaxValue() / 1_000.0;
    }
  }
}
