package io.screenmesh.image.ocr;

import io.screenmesh.image.DecodedImage;
import io.screenmesh.nativ.tesseract.Tesseract;
import io.screenmesh.nativ.tesseract.TesseractException;
import io.screenmesh.nativ.tesseract.TesseractLibrary;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed number of Tesseract engines, each used by one platform thread at a time, and the
 * threads that run them. Tesseract's calls are long native calls: on virtual threads they would
 * pin the carriers that every other detector needs, so OCR has threads of its own.
 *
 * <p>{@link #open} loads the library and creates the first engine, so a missing library or
 * language data is known at start-up; the others are created on first use. {@link #close()}
 * stops the threads and ends and deletes every engine; idempotent.
 */
public final class OcrPool implements AutoCloseable {

  private final String dataPath;
  private final String language;
  private final Queue<Tesseract> idle = new ConcurrentLinkedQueue<>();
  private final List<Tesseract> all = new ArrayList<>();
  private final ExecutorService threads;
  private final OcrReader reader;
  private final String version;
  private boolean closed;

  private OcrPool(TesseractLibrary lib, String dataPath, String language, int size, OcrReader reader) {
    this.dataPath = dataPath;
    this.language = language;
    this.reader = reader;
    this.version = lib.version();
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newFixedThreadPool(size, r -> {
      Thread t = new Thread(r, "ocr-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    idle.add(track(Tesseract.open(lib, dataPath, language)));
  }

  /**
   * Loads Tesseract and creates the pool.
   *
   * @param dataPath the tessdata folder, or null for the library's default
   * @param language the language, such as {@code eng}
   * @param size the number of engines and threads, at least 1
   * @param reader the pre-processing and passes
   * @throws TesseractException when the library or the language data is missing
   */
  public static OcrPool open(String dataPath, String language, int size, OcrReader reader) {
    if (size < 1) {
      throw new IllegalArgumentException("OCR threads must be at least 1: " + size);
    }
    return new OcrPool(TesseractLibrary.load(), dataPath, language, size, reader);
  }

  /** Tesseract's version. */
  public String version() {
    return version;
  }

  /**
   * Reads {@code image} on one of the pool's threads within {@code budgetNanos} of OCR time.
   *
   * @return the pending result; cancelling it does not stop a pass already running (each pass
   *     ends by the budget)
   */
  public Future<OcrText> submit(DecodedImage image, long budgetNanos) {
    return threads.submit(() -> {
      // The queue is empty only while every engine is busy on another of the pool's threads, so
      // no more engines are created than there are threads.
      Tesseract engine = idle.poll();
      if (engine == null) {
        engine = track(Tesseract.open(TesseractLibrary.load(), dataPath, language));
      }
      try {
        return reader.read(image, engine, budgetNanos);
      } finally {
        idle.add(engine);
      }
    });
  }

  private synchronized Tesseract track(Tesseract t) {
    if (closed) {
      t.close();
      throw new IllegalStateException("OCR pool is closed");
    }
    all.add(t);
    return t;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    threads.shutdownNow();
    try {
      // Each pass ends by its own time limit; wait for them so no engine is deleted mid-call.
      threads.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      all.forEach(Tesseract::close);
      all.clear();
    }
  }
}
