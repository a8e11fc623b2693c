package io.screenmesh.tests;

import static io.screenmesh.tests.Screening.image;
import static io.screenmesh.tests.Screening.item;
import static io.screenmesh.tests.Screening.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.ModalityOutcome;
import io.screenmesh.fusion.v1.PartResult;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One caller's mass cancellation must not fail anyone else's screening. The front door
 * forwards each cancellation as an HTTP/2 RST on its one connection to each modality
 * service; with the servers' default rapid-reset guard (200 RSTs in 30 s) that connection
 * was closed with GOAWAY ENHANCE_YOUR_CALM under the other callers' parts, which came back
 * REJECTED (a bare RESOURCE_EXHAUSTED read as malformed input) or UNAVAILABLE.
 *
 * <p>Here 4 callers screen text + image items in a loop on their own connection while an
 * attacker, on another, opens 300 calls, waits 0.1 s (long enough for them to reach the
 * modality services, short enough that most are still in flight) and cancels them all, 4
 * times: up to 1,200 RSTs per modality connection. The attacker's items are small, so that
 * what is tested is the cancellations, not a 2-core machine's CPU. Every victim item must
 * come back with both parts SCREENED, or, where a part waited out its budget behind the
 * burst on a busy machine, UNAVAILABLE with DEADLINE_EXCEEDED (at most half of them); never
 * REJECTED, nor UNAVAILABLE for any other reason.
 */
@ExtendWith(MeshExtension.class)
class MassCancellationIT {

  private static final int VICTIMS = 4;
  private static final int ROUNDS = 4;
  private static final int CALLS_PER_ROUND = 300;

  private final Mesh mesh;

  MassCancellationIT(Mesh mesh) {
    this.mesh = mesh;
  }

  @Test
  void otherCallersItemsAreScreenedWhileOneCallerCancelsHundredsOfCalls() throws Exception {
    byte[] photo = Samples.png(Samples.gradient(224, 224));
    byte[] thumbnail = Samples.png(Samples.gradient(64, 64));
    String paragraph = "A harmless paragraph about gardening and the weather. ".repeat(20);
    ManagedChannel attackerConnection = mesh.separateRawChannel(MeshService.FUSION);
    ManagedChannel victimConnection = mesh.separateRawChannel(MeshService.FUSION);
    List<ScreenItemResponse> screened = Collections.synchronizedList(new ArrayList<>());
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean attacking = new AtomicBoolean(true);
    List<Thread> victims = new ArrayList<>();
    try {
      FusionCheckerServiceGrpc.FusionCheckerServiceBlockingStub victim =
          FusionCheckerServiceGrpc.newBlockingStub(mesh.withToken(victimConnection));
      // Warm: the connections (front door to each modality service) are open before the flood,
      // so that a cold TLS handshake on a busy machine does not count against a victim's budget.
      victim.withDeadlineAfter(Screening.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
          .screenItem(item("warm-up", text("q", "Hello"), image("photo", photo)));
      for (int v = 0; v < VICTIMS; v++) {
        int caller = v;
        victims.add(Thread.ofPlatform().name("victim-" + v).start(() -> {
          for (int n = 0; attacking.get(); n++) {
            try {
              screened.add(victim.withDeadlineAfter(Screening.CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                  .screenItem(item("victim-" + caller + "-" + n,
                      text("q", "What is in this picture?"), image("photo", photo))));
            } catch (StatusRuntimeException e) {
              failures.add(e);
            }
          }
        }));
      }

      Channel attacker = mesh.withToken(attackerConnection);
      ScreenItemRequest attack = item("gone", text("essay", paragraph), image("thumb", thumbnail));
      for (int round = 0; round < ROUNDS; round++) {
        List<Context.CancellableContext> opened = new ArrayList<>();
        for (int i = 0; i < CALLS_PER_ROUND; i++) {
          Context.CancellableContext c = Context.current().withCancellation();
          opened.add(c);
          c.run(() -> FusionCheckerServiceGrpc.newStub(attacker).withDeadlineAfter(30, TimeUnit.SECONDS)
              .screenItem(attack, ignore()));
        }
        Thread.sleep(100);
        opened.forEach(c -> c.cancel(null));
        Thread.sleep(500);
      }
      // Let the victims' items in flight during the last round finish.
      Thread.sleep(2_000);
    } finally {
      attacking.set(false);
      for (Thread t : victims) {
        t.join(TimeUnit.SECONDS.toMillis(Screening.CALL_DEADLINE_SECONDS + 5));
      }
      attackerConnection.shutdownNow();
      victimConnection.shutdownNow();
    }

    assertEquals(List.of(), failures.stream().map(Throwable::toString).toList(), "victim calls failed");
    assertTrue(screened.size() >= VICTIMS, "the victims screened only " + screened.size() + " items");
    // A part that ran out of its budget waited behind the attacker's burst on a machine with
    // two busy cores; that is load, and it is bounded below. What the flood must never do is
    // refuse a part or cut its connection: REJECTED, or UNAVAILABLE with any other status.
    List<String> lostToTheFlood = new ArrayList<>();
    int parts = 0;
    int outOfTime = 0;
    for (ScreenItemResponse r : screened) {
      for (PartResult p : r.getPartsList()) {
        parts++;
        if (p.getOutcome() == ModalityOutcome.MODALITY_OUTCOME_SCREENED) {
          continue;
        }
        if (p.getOutcome() == ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE
            && p.getError().getCode() == Status.Code.DEADLINE_EXCEEDED.value()) {
          outOfTime++;
        } else {
          lostToTheFlood.add(r.getId() + "/" + p.getPartId() + ": " + p.getOutcome() + " " + p.getError());
        }
      }
    }
    assertEquals(List.of(), lostToTheFlood, "victim parts refused or cut off, of " + screened.size() + " items");
    assertTrue(outOfTime * 2 < parts, outOfTime + " of " + parts + " victim parts ran out of time");
    for (MeshService s : MeshService.values()) {
      assertTrue(mesh.isAlive(s), s.module() + " died");
    }
  }

  private static <T> StreamObserver<T> ignore() {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) { }

      @Override
      public void onError(Throwable t) { }

      @Override
      public void onCompleted() { }
    };
  }
}
