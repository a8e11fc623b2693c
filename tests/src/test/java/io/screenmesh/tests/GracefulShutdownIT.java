package io.screenmesh.tests;

import static io.screenmesh.tests.Screening.item;
import static io.screenmesh.tests.Screening.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM on the front door while calls are in flight: its health says NOT_SERVING at once,
 * every call already sent is answered (a stream's items included), and the process exits
 * within 25 s. Runs its own mesh, because it stops a member of it.
 */
class GracefulShutdownIT {

  private static final int UNARY = 24;
  private static final int STREAM_ITEMS = 200;

  @Test
  void callsInFlightCompleteAndTheProcessExitsInTime() throws Exception {
    try (Mesh mesh = Mesh.start("graceful-shutdown")) {
      var async = FusionCheckerServiceGrpc.newFutureStub(mesh.channel(MeshService.FUSION));
      List<com.google.common.util.concurrent.ListenableFuture<ScreenItemResponse>> unary = new ArrayList<>();
      for (int i = 0; i < UNARY; i++) {
        unary.add(async.withDeadlineAfter(60, TimeUnit.SECONDS)
            .screenItem(item("u-" + i, text("q", "Question " + i + ": what is the boiling point of water?"))));
      }
      StreamAnswers answers = new StreamAnswers();
      StreamObserver<ScreenItemStreamRequest> requests = FusionCheckerServiceGrpc.newStub(mesh.channel(MeshService.FUSION))
          .withDeadlineAfter(60, TimeUnit.SECONDS).screenItemStream(answers);
      for (int i = 0; i < STREAM_ITEMS; i++) {
        requests.onNext(ScreenItemStreamRequest.newBuilder()
            .setRequest(item("s-" + i, text("q", "Stream item " + i + ": a recipe for bread, please"))).build());
      }
      requests.onCompleted();

      CompletableFuture<Long> exit = CompletableFuture.supplyAsync(() -> {
        try {
          return mesh.terminate(MeshService.FUSION, Duration.ofSeconds(30));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      });
      assertTrue(sawNotServing(mesh), "health did not say NOT_SERVING while draining");

      for (var f : unary) {
        ScreenItemResponse r = f.get(60, TimeUnit.SECONDS);
        assertTrue(r.hasVerdict(), r.getId());
      }
      Status end = answers.awaitEnd(60);
      assertEquals(Status.Code.OK, end.getCode(), "stream ended with " + end + " after " + answers.size() + " answers");
      assertEquals(STREAM_ITEMS, answers.size());
      answers.counts().forEach((id, n) -> assertEquals(1, n, id));
      long millis = exit.get(60, TimeUnit.SECONDS);
      assertTrue(millis < 25_000, "exited " + millis + " ms after SIGTERM");
    }
  }

  /** Polls the front door's health for a few seconds after SIGTERM, within its 3 s delay. */
  private static boolean sawNotServing(Mesh mesh) throws InterruptedException {
    var health = HealthGrpc.newBlockingStub(mesh.rawChannel(MeshService.FUSION));
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < end) {
      try {
        if (health.withDeadlineAfter(1, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus()
            == ServingStatus.NOT_SERVING) {
          return true;
        }
      } catch (io.grpc.StatusRuntimeException e) {
        fail("health refused during the shutdown delay: " + e.getStatus());
      }
      Thread.sleep(50);
    }
    return false;
  }
}
