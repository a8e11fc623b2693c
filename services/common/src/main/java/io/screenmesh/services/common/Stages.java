package io.screenmesh.services.common;

import io.screenmesh.common.v1.StageTiming;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Records per-stage wall times for a response's {@code ProcessingInfo}. Not thread-safe. */
public final class Stages {

  private final List<StageTiming> timings = new ArrayList<>();

  /** Runs {@code work} and records its wall time under {@code stage}. */
  public <T> T time(String stage, Supplier<T> work) {
    long t0 = System.nanoTime();
    try {
      return work.get();
    } finally {
      record(stage, System.nanoTime() - t0);
    }
  }

  /** Records a stage that took {@code nanos}. */
  public void record(String stage, long nanos) {
    timings.add(StageTiming.newBuilder().setStage(stage).setMicros(nanos / 1_000).build());
  }

  /** The timings recorded so far, in order. */
  public List<StageTiming> timings() {
    return List.copyOf(timings);
  }
}
