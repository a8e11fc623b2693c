package io.screenmesh.image;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.screenmesh.services.common.ScreeningException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The heap shared by the decodes in flight: a decode takes its share ({@link
 * ImageHeader#decodeBytes()}) before the reader allocates anything and gives it back when it
 * ends. A decode that does not fit waits, first come first served so that a large image is not
 * starved by a stream of small ones, until its call's deadline (or {@code maxWait} when the call
 * has none), and then fails RESOURCE_EXHAUSTED {@value #SERVER_BUSY}: the server is busy, the
 * image is fine. Thread-safe.
 */
public final class DecodeBudget {

  /** The reason for a decode that could not get its share of the budget in time. */
  public static final String SERVER_BUSY = "SERVER_BUSY";

  private final long capacity;
  private final long maxWaitNanos;
  private final ReentrantLock lock = new ReentrantLock(true);
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private long inUse;

  /**
   * Creates a budget.
   *
   * @param capacityBytes the bytes shared by all decodes in flight
   * @param maxWait the longest a decode waits when its call has no earlier deadline
   * @throws IllegalArgumentException when the capacity is not positive or the wait is negative
   */
  public DecodeBudget(long capacityBytes, Duration maxWait) {
    if (capacityBytes < 1) {
      throw new IllegalArgumentException("the decode memory budget must be positive: " + capacityBytes);
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("the decode memory wait must not be negative: " + maxWait);
    }
    this.capacity = capacityBytes;
    this.maxWaitNanos = maxWait.toNanos();
  }

  /** The budget configured under {@code screenmesh.image.decode-memory-*}. */
  public static DecodeBudget from(ImageConfig config) {
    return new DecodeBudget(config.decodeMemoryBudget(), config.decodeMemoryWait());
  }

  /** The bytes shared by all decodes. */
  public long capacity() {
    return capacity;
  }

  /** The bytes held by decodes now. */
  public long inUse() {
    lock.lock();
    try {
      return inUse;
    } finally {
      lock.unlock();
    }
  }

  /** The decodes waiting for their share now. */
  public int waiting() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes {@code bytes} of the budget for a decode made for {@code call}, waiting for them while
   * the call is wanted.
   *
   * @return the share, to be closed when the decode's memory is no longer reachable
   * @throws IllegalArgumentException when {@code bytes} is negative or over the capacity
   * @throws ScreeningException RESOURCE_EXHAUSTED {@value #SERVER_BUSY} when the call's deadline
   *     (or the longest wait) passes first; CANCELLED when the caller cancels first
   */
  public Share acquire(long bytes, Context call) {
    if (bytes < 0 || bytes > capacity) {
      throw new IllegalArgumentException("a decode asks for " + bytes + " bytes of a budget of " + capacity);
    }
    long waitUntil = System.nanoTime() + maxWaitNanos;
    Deadline deadline = call.getDeadline();
    if (deadline != null) {
      waitUntil = Math.min(waitUntil, System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS));
    }
    // A cancelled call wakes its waiter at once rather than at the next timed wake-up.
    Context.CancellationListener wake = c -> signalAll();
    call.addListener(wake, Runnable::run);
    Object ticket = new Object();
    lock.lock();
    try {
      queue.addLast(ticket);
      try {
        while (queue.peekFirst() != ticket || inUse + bytes > capacity) {
          long left = waitUntil - System.nanoTime();
          if (call.isCancelled() || left <= 0) {
            throw refusal(call, bytes);
          }
          changed.awaitNanos(left);
        }
        inUse += bytes;
        return new Share(bytes);
      } finally {
        queue.remove(ticket);
        // The next in line may fit now, or may be first in line now.
        changed.signalAll();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ScreeningException(Status.Code.CANCELLED, "CANCELLED", "decoding was interrupted");
    } finally {
      lock.unlock();
      call.removeListener(wake);
    }
  }

  private ScreeningException refusal(Context call, long bytes) {
    Deadline deadline = call.getDeadline();
    if (call.isCancelled() && (deadline == null || !deadline.isExpired())) {
      return new ScreeningException(Status.Code.CANCELLED, "CANCELLED", "the caller cancelled the call");
    }
    return new ScreeningException(Status.Code.RESOURCE_EXHAUSTED, SERVER_BUSY, "the image needs "
        + bytes + " bytes to decode and the decoder's memory was taken until the deadline; retry later");
  }

  private void signalAll() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** A decode's share of the budget; closing it (once or more) gives the bytes back. */
  public final class Share implements AutoCloseable {
    private final long bytes;
    private boolean closed;

    private Share(long bytes) {
      this.bytes = bytes;
    }

    /** The bytes held. */
    public long bytes() {
      return bytes;
    }

    @Override
    public void close() {
      lock.lock();
      try {
        if (!closed) {
          closed = true;
          inUse -= bytes;
          changed.signalAll();
        }
      } finally {
        lock.unlock();
      }
    }
  }
}
