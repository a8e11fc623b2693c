package io.screenmesh.services.common.engine;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.screenmesh.services.common.ScreeningException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * A Triton-style dynamic batcher in front of an engine: requests wait in a bounded queue; one
 * dispatcher takes up to {@code maxBatch} of them, waiting at most {@code maxDelay} after the
 * first for more, and hands the batch to the handler on a virtual thread. At most
 * {@code concurrency} batches run at once; while all are busy the queue grows, so batches grow
 * with load and a lone call waits no longer than {@code maxDelay}.
 *
 * <p>Guarantees: every submitted request is answered exactly once (its future completes once:
 * with the handler's answer, the handler's failure, or a refusal); a request refused because
 * the queue holds {@code queueCapacity} waiting requests fails at once with RESOURCE_EXHAUSTED,
 * reason {@value #SERVER_BUSY}; a request whose call ended (cancelled, or its deadline passed)
 * while it waited leaves the queue at once and is never handed to the handler; a handler that
 * leaves a request unanswered has that request failed with INTERNAL.
 *
 * <p>Per-call state (the queued item, its queue slot and its cancellation listener on the
 * call's context) is counted: {@link #created()} and {@link #released()} are equal whenever no
 * request is waiting or running, however the calls ended, so a leak under a storm of
 * cancellations or deadlines shows as a difference that does not return to zero.
 *
 * @param <T> the request type
 * @param <R> the answer type
 */
public final class DynamicBatcher<T, R> implements AutoCloseable {

  /** The reason of a refusal by a full queue. */
  public static final String SERVER_BUSY = "SERVER_BUSY";

  private static final Logger LOG = Logger.getLogger(DynamicBatcher.class);

  /**
   * The batcher's configuration.
   *
   * @param maxBatch the most requests in one batch, at least 1
   * @param maxDelay how long the dispatcher waits after the first request for more (zero takes
   *     only what is already queued)
   * @param queueCapacity the most requests waiting, at least 1
   * @param concurrency the most batches in progress at once, at least 1
   */
  public record Settings(int maxBatch, Duration maxDelay, int queueCapacity, int concurrency) {
    /** Checks the values. */
    public Settings {
      if (maxBatch < 1 || queueCapacity < 1 || concurrency < 1 || maxDelay.isNegative()) {
        throw new IllegalArgumentException("batcher settings out of range: maxBatch=" + maxBatch + " maxDelay="
            + maxDelay + " queueCapacity=" + queueCapacity + " concurrency=" + concurrency);
      }
    }
  }

  /** Screens one batch; must answer each item (an unanswered one is failed with INTERNAL). */
  @FunctionalInterface
  public interface Handler<T, R> {
    /**
     * Handles {@code batch}.
     *
     * @throws Exception fails every item the handler did not answer with this failure
     */
    void handle(List<Item<T, R>> batch) throws Exception;
  }

  /** One request in a batch with the means to answer it. */
  public static final class Item<T, R> {
    private final T input;
    private final Context call;
    // The trace of the call, captured where it was submitted: the batch runs on other threads.
    private final io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.current();
    private final CompletableFuture<R> result = new CompletableFuture<>();
    private final AtomicBoolean queued = new AtomicBoolean(true);
    private volatile Context.CancellationListener listener;
    // Two steps end an item's per-call state: leaving the queue and being answered.
    private final AtomicInteger unsettled = new AtomicInteger(2);
    private int batchSize;

    private Item(T input, Context call) {
      this.input = input;
      this.call = call;
    }

    /** The request. */
    public T input() {
      return input;
    }

    /** The call's deadline, or null. */
    public Deadline deadline() {
      return call.getDeadline();
    }

    /**
     * The call's gRPC context, for work that stops itself when the call ends (a decoder that
     * listens for cancellation); {@link Context#ROOT} for callers outside gRPC.
     */
    public Context call() {
      return call;
    }

    /** The size of the batch this item was handled in. */
    public int batchSize() {
      return batchSize;
    }

    /** True while someone waits for the answer. */
    public boolean wanted() {
      return !call.isCancelled() && !result.isDone();
    }

    /** Answers the item; false when it was already answered. */
    public boolean complete(R answer) {
      return result.complete(answer);
    }

    /** Fails the item; false when it was already answered. */
    public boolean fail(Throwable t) {
      return result.completeExceptionally(t);
    }

    private void settle(LongAdder released) {
      if (unsettled.decrementAndGet() == 0) {
        released.increment();
      }
    }
  }

  private final String name;
  private final Settings settings;
  private final Handler<T, R> handler;
  private final Executor runner;
  private final LinkedBlockingQueue<Item<T, R>> queue = new LinkedBlockingQueue<>();
  private final Semaphore capacity;
  private final Semaphore running;
  private final Thread dispatcher;
  private volatile boolean closed;
  private volatile EngineMetrics reportedTo = EngineMetrics.NONE;
  private final LongAdder created = new LongAdder();
  private final LongAdder released = new LongAdder();
  // Recent handler time per request; racy updates only blur an estimate.
  private volatile long nanosPerItem;

  /**
   * Creates and starts a batcher.
   *
   * @param name names the dispatcher thread and the log lines
   * @param settings sizes, delay, queue and concurrency
   * @param handler screens one batch
   */
  public DynamicBatcher(String name, Settings settings, Handler<T, R> handler) {
    this.name = name;
    this.settings = settings;
    this.handler = handler;
    this.capacity = new Semaphore(settings.queueCapacity());
    this.running = new Semaphore(settings.concurrency());
    this.runner = r -> Thread.ofVirtual().name(name + "-batch").start(r);
    this.dispatcher = Thread.ofPlatform().daemon().name(name + "-batcher").unstarted(this::dispatch);
    dispatcher.start();
  }

  /** The settings. */
  public Settings settings() {
    return settings;
  }

  /** How many requests have taken a queue slot since start: per-call state made. */
  public long created() {
    return created.sum();
  }

  /**
   * How many of those have given up their slot and cancellation listener and been answered:
   * per-call state let go. Equal to {@link #created()} when nothing waits or runs.
   */
  public long released() {
    return released.sum();
  }

  /**
   * How long a request queued now would wait for its batch to start: the requests ahead of it
   * times the recent handler time per request, shared by the concurrent batches. Zero with an
   * empty queue or before the first batch. Reported only: refusing calls whose deadline falls
   * before it was tried and let one caller's storm of calls (cancelled a moment later) turn
   * other callers away, so admission stays by queue capacity.
   */
  public long expectedWaitNanos() {
    return waiting() * nanosPerItem / settings.concurrency();
  }

  /** Requests waiting in the queue now (slots held). */
  public int waiting() {
    return settings.queueCapacity() - capacity.availablePermits();
  }

  /**
   * Queues {@code input} for the next batch.
   *
   * @param input the request
   * @param call the request's gRPC context (deadline, cancellation); {@link Context#ROOT} for
   *     callers outside gRPC
   * @return the answer; fails with a {@link ScreeningException} RESOURCE_EXHAUSTED
   *     {@value #SERVER_BUSY} when the queue is full, CANCELLED or DEADLINE_EXCEEDED when the
   *     call ended before its batch started, UNAVAILABLE once the batcher is closed, or the
   *     handler's failure
   */
  public CompletableFuture<R> submit(T input, Context call) {
    Item<T, R> item = new Item<>(input, call);
    EngineMetrics metrics = EngineMetrics.current();
    if (metrics != reportedTo) {
      // Engines may be built before the service installs its metrics: register the gauge then.
      reportedTo = metrics;
      metrics.queue(name, () -> settings.queueCapacity() - capacity.availablePermits());
    }
    if (closed) {
      item.fail(ScreeningException.unavailable("SHUTTING_DOWN", "the service is shutting down"));
      return item.result;
    }
    if (!capacity.tryAcquire()) {
      metrics.rejected(name, SERVER_BUSY);
      item.fail(new ScreeningException(Status.Code.RESOURCE_EXHAUSTED, SERVER_BUSY,
          "the service is at capacity (" + settings.queueCapacity() + " requests waiting); retry later"));
      return item.result;
    }
    if (call.isCancelled()) {
      capacity.release();
      item.fail(ended(call));
      return item.result;
    }
    created.increment();
    // Released once the item has left the queue (slot and listener given back, see dequeue)
    // and been answered, whichever comes last; both happen exactly once.
    item.result.whenComplete((r, t) -> item.settle(released));
    // A call that ends while it waits leaves the queue at once, so a cancellation storm frees
    // its slots (and the memory of its requests) without waiting for the dispatcher.
    Context.CancellationListener l = ctx -> {
      if (dequeue(item)) {
        queue.remove(item);
        item.fail(ended(call));
      }
    };
    item.listener = l;
    queue.add(item);
    call.addListener(l, Runnable::run);
    return item.result;
  }

  private boolean dequeue(Item<T, R> item) {
    if (item.queued.compareAndSet(true, false)) {
      capacity.release();
      Context.CancellationListener l = item.listener;
      if (l != null) {
        item.call.removeListener(l);
      }
      item.settle(released);
      return true;
    }
    return false;
  }

  private void dispatch() {
    while (!closed) {
      try {
        running.acquire();
        List<Item<T, R>> batch = gather();
        if (batch.isEmpty()) {
          running.release();
          continue;
        }
        runner.execute(() -> {
          try {
            run(batch);
          } finally {
            running.release();
          }
        });
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
      } catch (RuntimeException | Error e) {
        LOG.errorf(e, "%s: the dispatcher failed; it goes on", name);
      }
    }
  }

  private List<Item<T, R>> gather() throws InterruptedException {
    List<Item<T, R>> batch = new ArrayList<>(Math.min(settings.maxBatch(), 64));
    Item<T, R> first = queue.take();
    addIfWanted(first, batch);
    long until = System.nanoTime() + settings.maxDelay().toNanos();
    while (batch.size() < settings.maxBatch()) {
      long left = until - System.nanoTime();
      Item<T, R> next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
      if (next == null) {
        break;
      }
      addIfWanted(next, batch);
    }
    for (Item<T, R> i : batch) {
      i.batchSize = batch.size();
    }
    if (!batch.isEmpty()) {
      EngineMetrics.current().batch(name, batch.size());
    }
    return batch;
  }

  private void addIfWanted(Item<T, R> item, List<Item<T, R>> batch) {
    if (!dequeue(item)) {
      return; // its call ended and the listener answered it
    }
    Deadline d = item.call.getDeadline();
    if (item.call.isCancelled() || (d != null && d.isExpired())) {
      ScreeningException ended = ended(item.call);
      EngineMetrics.current().rejected(name, ended.reason());
      item.fail(ended);
      return;
    }
    batch.add(item);
  }

  private void run(List<Item<T, R>> batch) {
    Throwable failure = null;
    long start = System.nanoTime();
    try (Scope scope = sharedTrace(batch).makeCurrent()) {
      handler.handle(batch);
    } catch (Throwable t) {
      failure = t;
    }
    long perItem = (System.nanoTime() - start) / batch.size();
    long estimate = nanosPerItem;
    // Exponentially weighted (1/8), each sample capped at 4x the estimate: a lasting slow-down
    // is followed within tens of batches, while one stalled batch (a GC pause, a stopped
    // process) cannot make the batcher refuse calls it would answer in time.
    nanosPerItem = estimate == 0 ? perItem : estimate + (Math.min(perItem, 4 * estimate) - estimate) / 8;
    for (Item<T, R> i : batch) {
      if (!i.result.isDone()) {
        i.fail(failure != null ? failure : new IllegalStateException(name + ": the handler left a request unanswered"));
      }
    }
  }

  /**
   * The trace the batch's work (and its calls to peers, such as derived text) belongs to: the
   * callers' when every item came from the same trace, none when they differ, so a mixed batch's
   * peer calls start traces of their own rather than join one caller's.
   */
  private static <T, R> io.opentelemetry.context.Context sharedTrace(List<Item<T, R>> batch) {
    io.opentelemetry.context.Context first = batch.get(0).trace;
    String traceId = Span.fromContext(first).getSpanContext().getTraceId();
    for (Item<T, R> i : batch) {
      if (!Span.fromContext(i.trace).getSpanContext().getTraceId().equals(traceId)) {
        return io.opentelemetry.context.Context.root();
      }
    }
    return first;
  }

  private static ScreeningException ended(Context call) {
    Deadline deadline = call.getDeadline();
    if (deadline != null && deadline.isExpired()) {
      return new ScreeningException(Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED",
          "the caller's deadline passed before screening started");
    }
    return new ScreeningException(Status.Code.CANCELLED, "CANCELLED", "the caller cancelled the call");
  }

  /** Stops taking requests and answers every waiting one with UNAVAILABLE. Idempotent. */
  @Override
  public void close() {
    closed = true;
    dispatcher.interrupt();
    Item<T, R> i;
    while ((i = queue.poll()) != null) {
      if (dequeue(i)) {
        i.fail(ScreeningException.unavailable("SHUTTING_DOWN", "the service is shutting down"));
      }
    }
  }
}
