package io.screenmesh.audio.speech;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Transcripts of the signals of a batch, computed once however many detectors ask: the speech
 * detector and the drift detector both need the original's transcript, and recognition is the
 * most expensive step of screening a clip. Keyed by the identity of the signal array (the
 * engine's arrays are never modified), held weakly, so a finished batch's entries go with it.
 *
 * <p>Thread-safe: the first caller for a signal recognizes it, later callers wait for it.
 */
public final class Transcripts {

  /** Told of every recognition, for tools that report transcripts and timings. */
  @FunctionalInterface
  public interface Listener {
    /** {@code signal} at {@code sampleRate} was recognized as {@code transcript} in {@code nanos}. */
    void recognized(float[] signal, int sampleRate, Transcript transcript, long nanos);
  }

  private final SpeechRecognizer recognizer;
  private final Listener listener;
  // float[] has identity equals and hashCode, so this is an identity map.
  private final Map<float[], CompletableFuture<Transcript>> cache = Collections.synchronizedMap(new WeakHashMap<>());

  /** Creates the cache over {@code recognizer}. */
  public Transcripts(SpeechRecognizer recognizer) {
    this(recognizer, (signal, rate, transcript, nanos) -> { });
  }

  /** Creates the cache over {@code recognizer}, telling {@code listener} of each recognition. */
  public Transcripts(SpeechRecognizer recognizer, Listener listener) {
    this.recognizer = recognizer;
    this.listener = listener;
  }

  /** The recognizer. */
  public SpeechRecognizer recognizer() {
    return recognizer;
  }

  /**
   * The transcript of {@code signal} at {@code sampleRate}.
   *
   * @throws InterruptedException when interrupted while another caller recognizes it
   * @throws IllegalStateException when the model is unavailable
   */
  public Transcript of(float[] signal, int sampleRate) throws InterruptedException {
    CompletableFuture<Transcript> mine = new CompletableFuture<>();
    CompletableFuture<Transcript> existing = cache.putIfAbsent(signal, mine);
    if (existing == null) {
      try {
        long t0 = System.nanoTime();
        Transcript t = recognizer.recognize(signal, sampleRate);
        listener.recognized(signal, sampleRate, t, System.nanoTime() - t0);
        mine.complete(t);
      } catch (RuntimeException | Error e) {
        mine.completeExceptionally(e);
        cache.remove(signal);
        throw e;
      }
      return mine.join();
    }
    try {
      return existing.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    }
  }
}
