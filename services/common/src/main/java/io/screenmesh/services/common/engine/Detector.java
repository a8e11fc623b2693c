package io.screenmesh.services.common.engine;

import java.util.List;

/**
 * One analysis of one modality: reads a batch of prepared inputs (normalized text with its
 * offset map, decoded pixels with their squeezed variants, PCM with its denoised signal) and
 * says what it found in each. A detector owns only its analysis: the engine that runs it owns
 * batching, deadlines, failure handling and the verdict, and lists every registered detector in
 * each response's {@code ProcessingInfo.detectors}.
 *
 * <p>A detector is one class plus its registration: a CDI bean of the modality's detector type
 * (for example {@code Detector<PreparedImage>}), enabled by
 * {@code screenmesh.<modality>.detectors.<id>.enabled} and bounded in time by
 * {@code screenmesh.<modality>.detectors.<id>.timeout}. It never talks gRPC to its caller,
 * never reads configuration outside its own prefix and never decides the verdict.
 *
 * <p>Implementations must be thread-safe: batches run concurrently. {@link #detect} runs on a
 * virtual thread, so a detector that waits on a peer (text-screening for derived text) may
 * block; it is interrupted when its time is up.
 *
 * @param <I> the prepared input the detector reads
 */
public interface Detector<I> {

  /** A stable id such as {@code image.metadata-text}; findings carry it. */
  String id();

  /**
   * The detector's version as audit records and responses report it: a model's SHA-256, a rule
   * set's revision. Empty when the detector has nothing that changes apart from the code.
   */
  default String version() {
    return "";
  }

  /**
   * Whether the detector can run in this process, and why not. Asked once when the engine
   * starts; an unavailable detector is listed as skipped with this reason in every response.
   */
  default Availability availability() {
    return Availability.AVAILABLE;
  }

  /**
   * Analyzes a batch.
   *
   * @param batch the inputs, at least one
   * @param context the batch's deadline and cancellation
   * @return one {@link Detection} per input, in the batch's order
   * @throws Exception any failure; the engine reports it as this detector's failure on every
   *     input of the batch, and the modality's fail-closed or fail-open rule decides
   */
  List<Detection> detect(List<I> batch, DetectionContext context) throws Exception;
}
