package io.screenmesh.tests;

import static io.screenmesh.tests.Screening.item;
import static io.screenmesh.tests.Screening.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM on the front door while calls are in flight: it switches its health to NOT_SERVING,
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
      // That health answers NOT_SERVING from then on is ReadinessTest's; asked over the network
      // here, a loaded machine's answers come too late to tell.
      assertTrue(Files.readString(mesh.logFile(MeshService.FUSION)).contains("health says NOT_SERVING"),
          "the front door did not switch its health to NOT_SERVING on SIGTERM");
    }
  }
}
