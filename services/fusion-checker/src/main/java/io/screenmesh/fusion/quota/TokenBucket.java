package io.screenmesh.fusion.quota;

/**
 * A token bucket: {@code capacity} tokens at most, refilled at {@code ratePerSecond}. A take
 * of {@code n} succeeds when the bucket holds at least {@code min(n, capacity)} tokens and
 * then removes all {@code n}, possibly into debt, so a single take larger than the bucket (an
 * item of more bytes than the burst) is allowed when the bucket is full and is paid for by
 * the wait of the takes after it. Thread-safe; time comes from the caller, in nanoseconds.
 */
final class TokenBucket {

  private final double capacity;
  private final double perNano;
  private double tokens;
  private long last;

  /**
   * Creates a full bucket.
   *
   * @param capacity the most tokens it holds (the burst), &gt; 0
   * @param ratePerSecond tokens added per second, &gt; 0
   * @param now the current time in nanoseconds
   * @throws IllegalArgumentException when capacity or rate is not positive
   */
  TokenBucket(double capacity, double ratePerSecond, long now) {
    if (!(capacity > 0) || !(ratePerSecond > 0)) {
      throw new IllegalArgumentException("a token bucket needs a positive capacity and rate: " + capacity + ", " + ratePerSecond);
    }
    this.capacity = capacity;
    this.perNano = ratePerSecond / 1e9;
    this.tokens = capacity;
    this.last = now;
  }

  /**
   * Takes {@code n} tokens if the bucket allows it.
   *
   * @return 0 when taken, else the nanoseconds until the same take would succeed
   */
  synchronized long take(double n, long now) {
    refill(now);
    double needed = Math.min(n, capacity);
    if (tokens >= needed) {
      tokens -= n;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((needed - tokens) / perNano));
  }

  /** Puts back {@code n} tokens taken by a call that another bucket then refused. */
  synchronized void giveBack(double n, long now) {
    refill(now);
    tokens = Math.min(capacity, tokens + n);
  }

  /** True when the bucket is full: it may be dropped and made again without changing anything. */
  synchronized boolean full(long now) {
    refill(now);
    return tokens >= capacity;
  }

  private void refill(long now) {
    if (now > last) {
      tokens = Math.min(capacity, tokens + (now - last) * perNano);
      last = now;
    }
  }
}
