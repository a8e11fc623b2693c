package io.screenmesh.services.common.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.screenmesh.services.common.engine.EngineMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * The engines' metrics in Micrometer, scraped by Prometheus at {@code /q/metrics}. Installed
 * at start-up in every service, so the engines (plain Java) report through
 * {@link EngineMetrics#current()}. Names, tags and units are listed in deploy/monitoring/README.md.
 */
@Startup
@ApplicationScoped
public class MicrometerEngineMetrics implements EngineMetrics {

  // Scores are probabilities: fixed buckets keep the histograms comparable across services.
  private static final double[] SCORE_BUCKETS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0};

  private final MeterRegistry registry;

  /** Binds to {@code registry} and installs itself for the engines. */
  public MicrometerEngineMetrics(MeterRegistry registry) {
    this.registry = registry;
    EngineMetrics.install(this);
  }

  @Override
  public void detectorRun(String modality, String detector, String outcome, long micros) {
    Timer.builder("screenmesh.detector.duration")
        .description("Time a detector took on one batch")
        .tags("modality", modality, "detector", detector, "outcome", outcome)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry)
        .record(Duration.ofNanos(micros * 1000));
  }

  @Override
  public void finding(String modality, String detector, String category, double score) {
    Counter.builder("screenmesh.findings")
        .description("Findings reported by detectors")
        .tags("modality", modality, "detector", detector, "category", category)
        .register(registry)
        .increment();
    DistributionSummary.builder("screenmesh.finding.score")
        .description("Scores of the findings")
        .tags("modality", modality, "detector", detector)
        .serviceLevelObjectives(SCORE_BUCKETS)
        .register(registry)
        .record(score);
  }

  @Override
  public void batch(String batcher, int size) {
    DistributionSummary.builder("screenmesh.batch.size")
        .description("Requests per batch handed to an engine")
        .tags("batcher", batcher)
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
        .register(registry)
        .record(size);
  }

  @Override
  public void rejected(String batcher, String reason) {
    Counter.builder("screenmesh.rejections")
        .description("Requests refused by a full queue or dropped because their call ended")
        .tags("batcher", batcher, "reason", reason)
        .register(registry)
        .increment();
  }

  @Override
  public void queue(String batcher, IntSupplier waiting) {
    Gauge.builder("screenmesh.queue.depth", waiting, IntSupplier::getAsInt)
        .description("Requests waiting for a batch")
        .tags("batcher", batcher)
        .strongReference(true)
        .register(registry);
  }

  @Override
  public void admission(String modality, java.util.function.DoubleSupplier limit, IntSupplier inFlight,
      IntSupplier waiting) {
    Gauge.builder("screenmesh.admission.limit", limit, java.util.function.DoubleSupplier::getAsDouble)
        .description("Stream parts the front door lets reach a modality service at once (adaptive)")
        .tags("modality", modality).strongReference(true).register(registry);
    Gauge.builder("screenmesh.admission.in.flight", inFlight, IntSupplier::getAsInt)
        .description("Stream parts at a modality service now")
        .tags("modality", modality).strongReference(true).register(registry);
    Gauge.builder("screenmesh.admission.waiting", waiting, IntSupplier::getAsInt)
        .description("Stream parts waiting for a place at a modality service")
        .tags("modality", modality).strongReference(true).register(registry);
  }

  @Override
  public void verdict(String policy, String decision, double score) {
    Counter.builder("screenmesh.verdicts")
        .description("Verdicts of the front door")
        .tags("policy", policy, "decision", decision)
        .register(registry)
        .increment();
    DistributionSummary.builder("screenmesh.verdict.score")
        .description("Fused scores of the front door's verdicts")
        .tags("policy", policy)
        .serviceLevelObjectives(SCORE_BUCKETS)
        .register(registry)
        .record(score);
  }

  @Override
  public void backend(String backend) {
    Gauge.builder("screenmesh.backend", () -> 1)
        .description("The compute backend in use (value 1, the backend in its label)")
        .tags("backend", backend)
        .register(registry);
  }
}
