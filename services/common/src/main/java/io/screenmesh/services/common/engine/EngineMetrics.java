package io.screenmesh.services.common.engine;

import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * What the engines report for monitoring: detector runs and their latency, findings, batch
 * sizes, queue depth, refusals and the front door's verdicts. The engines stay plain Java: they call the hook installed
 * here, which is a no-op until a service installs one (services/common's Micrometer binding).
 */
public interface EngineMetrics {

  /** A detector's run on a batch: its outcome (ran, skipped, failed, timed out) and latency. */
  void detectorRun(String modality, String detector, String outcome, long micros);

  /** A finding a detector reported, with its category and score. */
  void finding(String modality, String detector, String category, double score);

  /** A batch handed to an engine by the batcher named {@code batcher}. */
  void batch(String batcher, int size);

  /** A request the batcher named {@code batcher} refused (a full queue) or dropped (an ended call). */
  void rejected(String batcher, String reason);

  /** The requests waiting in the batcher named {@code batcher}, read when metrics are scraped. */
  void queue(String batcher, IntSupplier waiting);

  /** A verdict the front door returned under {@code policy}. */
  void verdict(String policy, String decision, double score);

  /** The compute backend this process chose ({@code BACKEND_JAVA}, {@code BACKEND_NATIVE}, {@code BACKEND_CUDA}). */
  void backend(String backend);

  /**
   * The front door's admission of stream parts to one modality service: its adaptive limit, the
   * parts at the service and the parts waiting for a place.
   */
  default void admission(String modality, java.util.function.DoubleSupplier limit, IntSupplier inFlight,
      IntSupplier waiting) {}

  /** Reports nothing. */
  EngineMetrics NONE = new EngineMetrics() {
    @Override
    public void detectorRun(String modality, String detector, String outcome, long micros) {}

    @Override
    public void finding(String modality, String detector, String category, double score) {}

    @Override
    public void batch(String batcher, int size) {}

    @Override
    public void rejected(String batcher, String reason) {}

    @Override
    public void queue(String batcher, IntSupplier waiting) {}

    @Override
    public void verdict(String policy, String decision, double score) {}

    @Override
    public void backend(String backend) {}
  };

  /** The installed hook ({@link #NONE} until one is installed). */
  static EngineMetrics current() {
    return Holder.current;
  }

  /**
   * Installs {@code metrics} for every engine of this process; the queue of a batcher made
   * earlier is reported from its next request on.
   */
  static void install(EngineMetrics metrics) {
    Holder.current = Objects.requireNonNull(metrics, "metrics");
    String backend = Holder.backend;
    if (backend != null) {
      metrics.backend(backend);
    }
  }

  /** Reports the backend chosen at start-up, also to a hook installed later. */
  static void reportBackend(String backend) {
    Holder.backend = backend;
    current().backend(backend);
  }

  /** Where the process-wide hook lives (an interface cannot hold a mutable field). */
  final class Holder {
    private static volatile EngineMetrics current = NONE;
    private static volatile String backend;

    private Holder() {}
  }
}
