package io.screenmesh.services.common.testing;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.screenmesh.services.common.ScreeningException;
import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The invariants every fuzz target checks: bad input ends in a {@link ScreeningException} with a
 * known reason and a message (never INTERNAL, never another exception); no input makes the
 * parser allocate {@value #MAX_BYTES_PER_INPUT_BYTE} times its size beyond what the limits it
 * runs under allow; no input keeps it busy for {@value #HANG_SECONDS} seconds.
 */
public final class FuzzChecks {

  /** The most bytes a parser may allocate per input byte, beyond its documented allowance. */
  public static final long MAX_BYTES_PER_INPUT_BYTE = 100;

  /** How long one input may take before it counts as a hang. */
  public static final long HANG_SECONDS = 10;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  // The hang check needs the parse off the caller's thread: a JUnit @Timeout on a fuzz test
  // would bound the whole fuzzing run rather than one input.
  private static volatile ExecutorService worker = newWorker();

  private FuzzChecks() {}

  /** Work under test that may refuse its input. */
  @FunctionalInterface
  public interface Parse {
    /** Parses, checking whatever it returns. */
    void run();
  }

  /**
   * Runs {@code parse} and checks its refusals, its allocation and its duration.
   *
   * @param inputBytes the size of the input
   * @param allowanceBytes what the parser may allocate whatever its input (the limits it runs
   *     under: a decode cap, an inflate cap, the fixed cost of the parser's tables)
   * @param reasons the reasons a refusal may carry
   * @param parse the parse; it runs on a worker thread
   * @return the bytes the parse allocated (garbage included: an upper bound on what it held)
   */
  public static long check(long inputBytes, long allowanceBytes, Set<String> reasons, Parse parse) {
    long bound = MAX_BYTES_PER_INPUT_BYTE * inputBytes + allowanceBytes;
    long allocated = measured(reasons, parse);
    if (allocated > bound) {
      // The first input to reach a class pays for loading (and, while fuzzing, instrumenting)
      // it on this thread; what the input itself costs shows on a second run.
      allocated = measured(reasons, parse);
    }
    assertTrue(allocated <= bound, "a " + inputBytes + "-byte input allocated " + allocated
        + " bytes; the bound is " + bound);
    return allocated;
  }

  private static long measured(Set<String> reasons, Parse parse) {
    Future<Long> run = worker.submit(() -> {
      long thread = Thread.currentThread().threadId();
      long before = THREADS.getThreadAllocatedBytes(thread);
      try {
        parse.run();
      } catch (ScreeningException e) {
        assertTrue(reasons.contains(e.reason()), "unexpected reason " + e.reason() + ": " + e.getMessage());
        assertNotEquals(Status.Code.INTERNAL, e.code(), e.reason());
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), e.reason() + " without a message");
      }
      return THREADS.getThreadAllocatedBytes(thread) - before;
    });
    try {
      return run.get(HANG_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      run.cancel(true);
      // A parser spinning on the CPU ignores the interrupt: later inputs get a fresh thread.
      worker = newWorker();
      throw new AssertionError("the input kept the parser busy for over " + HANG_SECONDS + " s");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new AssertionError(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-target");
      t.setDaemon(true);
      return t;
    });
  }
}
