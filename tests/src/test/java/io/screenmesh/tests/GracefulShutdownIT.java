package io.screenmesh.tests;

import static io.screenmesh.tests.Screening.item;
import static io.screenmesh.tests.Screening.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
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

  /**
   * Asks the front door's health every 100 ms during its 3 s shutdown delay, without waiting
   * for each answer (a loaded machine may answer late): true when one answer said NOT_SERVING.
   * Checks that fail (late, or refused once the delay is over) say nothing either way.
   */
  private static boolean sawNotServing(Mesh mesh) throws InterruptedException {
    var health = HealthGrpc.newFutureStub(mesh.rawChannel(MeshService.FUSION));
    List<com.google.common.util.concurrent.ListenableFuture<HealthCheckResponse>> checks = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      checks.add(health.withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()));
      Thread.sleep(100);
    }
    boolean seen = false;
    for (var c : checks) {
      try {
        seen |= c.get(10, TimeUnit.SECONDS).getStatus() == ServingStatus.NOT_SERVING;
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // late or refused: no evidence
      }
    }
    return seen;
  }
}
