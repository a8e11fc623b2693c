package io.screenmesh.fusion.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.auth.Principal;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class QuotasTest {

  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(5 * SECOND);

  private static final Principal ALICE = new Principal("alice", Set.of(Principal.SCREEN));
  private static final Principal BOB = new Principal("bob", Set.of(Principal.SCREEN));
  private static final Principal BULK = new Principal("pipeline", Set.of(Principal.SCREEN_BATCH, "quota:bulk"));

  private Quotas quotas(Quotas.Rates fallback, Map<String, Quotas.Rates> principals, Map<String, Quotas.Rates> scopes) {
    return new Quotas(fallback, principals, scopes, now::get);
  }

  private static Quotas.Rates requests(double perSecond, double burst) {
    return new Quotas.Rates(perSecond, burst, null, 0);
  }

  private static long retryMillis(StatusRuntimeException e) throws Exception {
    com.google.rpc.Status s = StatusProto.fromThrowable(e);
    for (var d : s.getDetailsList()) {
      if (d.is(RetryInfo.class)) {
        var delay = d.unpack(RetryInfo.class).getRetryDelay();
        return delay.getSeconds() * 1000 + delay.getNanos() / 1_000_000;
      }
    }
    throw new AssertionError("no RetryInfo in " + s);
  }

  @Test
  void burstThenRefusalWithRetryInfoThenRefill() throws Exception {
    Quotas q = quotas(requests(2, 3), Map.of(), Map.of());
    for (int i = 0; i < 3; i++) {
      assertTrue(q.charge(ALICE, 100).isEmpty(), "burst item " + i);
    }
    Optional<StatusRuntimeException> refused = q.charge(ALICE, 100);
    assertTrue(refused.isPresent());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.get().getStatus().getCode());
    assertEquals(Quotas.REASON, GrpcErrors.reasonOf(refused.get()));
    assertEquals(500, retryMillis(refused.get()), "one token at 2 per second");

    now.addAndGet(SECOND / 2);
    assertTrue(q.charge(ALICE, 100).isEmpty(), "refilled after the advertised delay");
    assertTrue(q.charge(ALICE, 100).isPresent());
  }

  @Test
  void principalsHaveBucketsOfTheirOwn() {
    Quotas q = quotas(requests(1, 1), Map.of(), Map.of());
    assertTrue(q.charge(ALICE, 1).isEmpty());
    assertTrue(q.charge(ALICE, 1).isPresent());
    assertTrue(q.charge(BOB, 1).isEmpty(), "alice's use does not spend bob's quota");
  }

  @Test
  void bytesAreLimitedAndARefusedItemKeepsItsRequestToken() throws Exception {
    Quotas q = quotas(new Quotas.Rates(100.0, 100, 1000.0, 1000), Map.of(), Map.of());
    assertTrue(q.charge(ALICE, 800).isEmpty());
    StatusRuntimeException e = q.charge(ALICE, 800).orElseThrow();
    // 200 bytes left, 800 needed at 1000 per second.
    assertEquals(600, retryMillis(e));
    now.addAndGet(600_000_000L);
    assertTrue(q.charge(ALICE, 800).isEmpty());
  }

  @Test
  void anItemLargerThanTheByteBurstPassesWhenTheBucketIsFullAndIsPaidForAfter() {
    Quotas q = quotas(new Quotas.Rates(null, 0, 1000.0, 1000), Map.of(), Map.of());
    assertTrue(q.charge(ALICE, 5000).isEmpty(), "never refused for good");
    assertTrue(q.charge(ALICE, 1).isPresent(), "in debt for 4 s");
    now.addAndGet(4 * SECOND);
    assertTrue(q.charge(ALICE, 1).isPresent(), "debt paid, one byte short");
    now.addAndGet(SECOND / 1000);
    assertTrue(q.charge(ALICE, 1).isEmpty());
  }

  @Test
  void principalEntryWinsThenTheMostGenerousScopeThenTheDefault() {
    Quotas q = quotas(requests(1, 1), Map.of("alice", requests(10, 10)),
        Map.of("quota:bulk", requests(100, 100), Principal.SCREEN_BATCH, requests(5, 5)));
    assertEquals(10.0, q.ratesOf(ALICE).requests());
    assertEquals(100.0, q.ratesOf(BULK).requests());
    assertEquals(1.0, q.ratesOf(BOB).requests());
  }

  @Test
  void unlimitedByDefault() {
    Quotas q = Quotas.unlimited();
    for (int i = 0; i < 10_000; i++) {
      assertTrue(q.charge(ALICE, 1 << 20).isEmpty());
    }
  }
}
