package io.screenmesh.bench.load;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The three ways a run loads a target. Each runs a warm-up, then a measured window; only
 * calls that start inside the window are recorded, and throughput is what they add up to
 * over the window's length.
 */
final class Drivers {

  private final Target target;
  private final List<String> prompts;
  private final long deadlineMillis;
  private final AtomicLong ids = new AtomicLong();

  Drivers(Target target, List<String> prompts, long deadlineMillis) {
    this.target = target;
    this.prompts = prompts;
    this.deadlineMillis = deadlineMillis;
  }

  private String prompt(long n) {
    return prompts.get((int) (n % prompts.size()));
  }

  /**
   * Closed loop: {@code concurrency} callers, each starting its next call when the previous
   * one ended. Latency is each call's own.
   */
  Stats.Result closed(String label, int concurrency, double warmupSeconds, double seconds) throws InterruptedException {
    Stats stats = new Stats();
    long measureFrom = System.nanoTime() + seconds(warmupSeconds);
    long measureTo = measureFrom + seconds(seconds);
    List<Thread> callers = new ArrayList<>();
    for (int c = 0; c < concurrency; c++) {
      callers.add(Thread.ofPlatform().daemon().name("caller-" + c).start(() -> {
        while (true) {
          long n = ids.getAndIncrement();
          long t0 = System.nanoTime();
          if (t0 >= measureTo) {
            return;
          }
          CompletableFuture<Target.Outcome> done = new CompletableFuture<>();
          target.call("load-" + n, prompt(n), deadlineMillis, done::complete);
          Target.Outcome o = await(done, deadlineMillis);
          if (t0 >= measureFrom) {
            stats.record(System.nanoTime() - t0, o);
          }
        }
      }));
    }
    for (Thread t : callers) {
      t.join();
    }
    return stats.result(label, target.name(), "closed", seconds, 0, concurrency, "calls");
  }

  /**
   * Open loop: calls start on a fixed schedule of {@code rate} per second whether or not
   * earlier calls ended, and each latency counts from the call's scheduled start, so a stall
   * of the target shows in the percentiles instead of silently slowing the load
   * (no coordinated omission). Arrivals beyond {@code maxOutstanding} calls in flight are
   * counted as shed, not sent.
   */
  Stats.Result open(String label, double rate, int maxOutstanding, double warmupSeconds, double seconds)
      throws InterruptedException {
    Stats stats = new Stats();
    long start = System.nanoTime();
    long measureFrom = start + seconds(warmupSeconds);
    long measureTo = measureFrom + seconds(seconds);
    double period = 1e9 / rate;
    AtomicInteger outstanding = new AtomicInteger();
    for (long i = 0; ; i++) {
      long intended = start + (long) (i * period);
      if (intended >= measureTo) {
        break;
      }
      long wait;
      while ((wait = intended - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      boolean measured = intended >= measureFrom;
      if (measured) {
        stats.recordSendLag(System.nanoTime() - intended);
      }
      if (outstanding.get() >= maxOutstanding) {
        if (measured) {
          stats.recordShed();
        }
        continue;
      }
      outstanding.incrementAndGet();
      long n = ids.getAndIncrement();
      target.call("load-" + n, prompt(n), deadlineMillis, o -> {
        if (measured) {
          stats.record(System.nanoTime() - intended, o);
        }
        outstanding.decrementAndGet();
      });
    }
    // Every call has a deadline, so this ends; the slack covers the last callbacks.
    long drainUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMillis + 2_000);
    while (outstanding.get() > 0 && System.nanoTime() < drainUntil) {
      Thread.sleep(5);
    }
    return stats.result(label, target.name(), "open", seconds, rate, 0, "calls");
  }

  /**
   * Batch: {@code streams} callers, each sending {@code batchSize} prompts over one stream,
   * waiting for every answer and the stream's end, then starting the next stream. Each item's
   * latency counts from its stream's start; the stream's from its start to its end.
   */
  Stats.Result batch(String label, int streams, int batchSize, double warmupSeconds, double seconds)
      throws InterruptedException {
    Stats stats = new Stats();
    long measureFrom = System.nanoTime() + seconds(warmupSeconds);
    long measureTo = measureFrom + seconds(seconds);
    List<Thread> callers = new ArrayList<>();
    for (int c = 0; c < streams; c++) {
      callers.add(Thread.ofPlatform().daemon().name("stream-" + c).start(() -> {
        while (true) {
          long t0 = System.nanoTime();
          if (t0 >= measureTo) {
            return;
          }
          long first = ids.getAndAdd(batchSize);
          List<String> batch = new ArrayList<>(batchSize);
          for (int i = 0; i < batchSize; i++) {
            batch.add(prompt(first + i));
          }
          boolean measured = t0 >= measureFrom;
          AtomicLongArray answeredAt = new AtomicLongArray(batchSize);
          Target.Outcome[] outcomes = new Target.Outcome[batchSize];
          CompletableFuture<Status> end = new CompletableFuture<>();
          target.batch("batch-" + first, batch, deadlineMillis, new Target.BatchListener() {
            @Override
            public void answer(int index, Target.Outcome outcome) {
              if (index >= 0 && index < batchSize && answeredAt.compareAndSet(index, 0, System.nanoTime())) {
                outcomes[index] = outcome;
              }
            }

            @Override
            public void end(Status status) {
              end.complete(status);
            }
          });
          Status streamEnd = awaitEnd(end, deadlineMillis);
          long t1 = System.nanoTime();
          if (measured) {
            stats.recordBatch(t1 - t0);
            for (int i = 0; i < batchSize; i++) {
              long at = answeredAt.get(i);
              if (at == 0) {
                stats.recordMissing(streamEnd);
              } else {
                stats.record(at - t0, outcomes[i]);
              }
            }
          }
        }
      }));
    }
    for (Thread t : callers) {
      t.join();
    }
    return stats.result(label, target.name(), "batch", seconds, 0, streams, "items");
  }

  private static Target.Outcome await(CompletableFuture<Target.Outcome> f, long deadlineMillis) {
    try {
      return f.get(deadlineMillis + 2_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return Target.Outcome.failed(Status.DEADLINE_EXCEEDED.withDescription("no answer within the deadline"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Target.Outcome.failed(Status.CANCELLED.withDescription("interrupted"));
    } catch (ExecutionException e) {
      return Target.Outcome.failed(Status.fromThrowable(e.getCause()));
    }
  }

  private static Status awaitEnd(CompletableFuture<Status> f, long deadlineMillis) {
    try {
      return f.get(deadlineMillis + 2_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return Status.DEADLINE_EXCEEDED.withDescription("the stream did not end within its deadline and 2 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Status.CANCELLED;
    } catch (ExecutionException e) {
      return Status.fromThrowable(e.getCause());
    }
  }

  private static long seconds(double s) {
    return (long) (s * 1e9);
  }
}
