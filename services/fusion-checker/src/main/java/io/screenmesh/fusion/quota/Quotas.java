package io.screenmesh.fusion.quota;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.auth.Principal;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Per-principal token buckets for items and for bytes ({@link QuotaConfig}). Every item a
 * principal sends, unary or on a stream, takes one request token and its serialized size in
 * byte tokens; an item over either refusal is answered RESOURCE_EXHAUSTED with reason
 * {@value #REASON} and a {@code google.rpc.RetryInfo} saying when the same item would pass.
 * Buckets of principals that have been idle long enough to be full again are dropped, so
 * many short-lived principals do not pile up.
 */
@Singleton
public class Quotas {

  /** The ErrorInfo reason of a refusal. */
  public static final String REASON = "QUOTA_EXCEEDED";
  /** Principals whose buckets are kept before idle (full) ones are swept. */
  static final int SWEEP_AT = 10_000;
  private static final Logger LOG = Logger.getLogger(Quotas.class);

  /** A limit resolved to numbers; a null rate means unlimited. */
  record Rates(Double requests, double requestBurst, Double bytes, double byteBurst) {
    static final Rates UNLIMITED = new Rates(null, 0, null, 0);

    static Rates of(QuotaConfig.Limit l) {
      Double r = l.requestsPerSecond().orElse(null);
      Double b = l.bytesPerSecond().orElse(null);
      return new Rates(r, l.requestBurst().orElse(r == null ? 0 : Math.max(1, r)), b, l.byteBurst().orElse(b == null ? 0 : b));
    }

    /** Larger is more generous; unlimited is the most generous. */
    double generosity() {
      return requests == null ? Double.MAX_VALUE : requests;
    }
  }

  private record Buckets(TokenBucket requests, TokenBucket bytes) {
    boolean idle(long now) {
      return (requests == null || requests.full(now)) && (bytes == null || bytes.full(now));
    }
  }

  private final Rates fallback;
  private final Map<String, Rates> principals;
  private final Map<String, Rates> scopes;
  private final LongSupplier clock;
  private final Map<String, Buckets> buckets = new ConcurrentHashMap<>();

  /** Reads {@code screenmesh.quota}. */
  @Inject
  public Quotas(QuotaConfig config) {
    this(Rates.of(config.fallback()), resolve(config.principals()), resolve(config.scopes()), System::nanoTime);
    if (!principals.isEmpty() || !scopes.isEmpty() || fallback.requests() != null || fallback.bytes() != null) {
      LOG.infof("quotas: default %s, principals %s, scopes %s", fallback, principals, scopes);
    }
  }

  Quotas(Rates fallback, Map<String, Rates> principals, Map<String, Rates> scopes, LongSupplier clock) {
    this.fallback = fallback;
    this.principals = Map.copyOf(principals);
    this.scopes = Map.copyOf(scopes);
    this.clock = clock;
  }

  private static Map<String, Rates> resolve(Map<String, QuotaConfig.Limit> limits) {
    Map<String, Rates> out = new java.util.HashMap<>();
    limits.forEach((k, v) -> out.put(k, Rates.of(v)));
    return out;
  }

  /** Quotas that limit nothing (tools, tests). */
  public static Quotas unlimited() {
    return new Quotas(Rates.UNLIMITED, Map.of(), Map.of(), System::nanoTime);
  }

  /**
   * Charges one item of {@code bytes} to {@code caller}.
   *
   * @return empty when the item may go, else the refusal to answer it with
   */
  public Optional<StatusRuntimeException> charge(Principal caller, long bytes) {
    Rates rates = ratesOf(caller);
    if (rates.requests() == null && rates.bytes() == null) {
      return Optional.empty();
    }
    long now = clock.getAsLong();
    if (buckets.size() > SWEEP_AT) {
      buckets.values().removeIf(b -> b.idle(now));
    }
    Buckets b = buckets.computeIfAbsent(caller.name(), n -> new Buckets(
        rates.requests() == null ? null : new TokenBucket(rates.requestBurst(), rates.requests(), now),
        rates.bytes() == null ? null : new TokenBucket(rates.byteBurst(), rates.bytes(), now)));
    long wait = b.requests() == null ? 0 : b.requests().take(1, now);
    if (wait == 0 && b.bytes() != null) {
      wait = b.bytes().take(bytes, now);
      if (wait > 0 && b.requests() != null) {
        b.requests().giveBack(1, now);
      }
    }
    return wait == 0 ? Optional.empty() : Optional.of(refusal(wait));
  }

  /** The caller's limit: its own, else its scopes' most generous, else the default. */
  Rates ratesOf(Principal caller) {
    Rates own = principals.get(caller.name());
    if (own != null) {
      return own;
    }
    List<Rates> byScope = new ArrayList<>();
    for (String s : caller.scopes()) {
      Rates r = scopes.get(s);
      if (r != null) {
        byScope.add(r);
      }
    }
    return byScope.stream().max(java.util.Comparator.comparingDouble(Rates::generosity)).orElse(fallback);
  }

  private static StatusRuntimeException refusal(long waitNanos) {
    long millis = Math.max(1, waitNanos / 1_000_000);
    com.google.rpc.Status proto = com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.RESOURCE_EXHAUSTED.value())
        .setMessage("quota exceeded for this caller; retry in " + millis + " ms")
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(REASON).setDomain(GrpcErrors.DOMAIN).build()))
        .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(Duration.newBuilder()
            .setSeconds(waitNanos / 1_000_000_000).setNanos((int) (waitNanos % 1_000_000_000))).build()))
        .build();
    return StatusProto.toStatusRuntimeException(proto);
  }
}
