package io.screenmesh.tests;

import static io.screenmesh.tests.Screening.item;
import static io.screenmesh.tests.Screening.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.ModalityOutcome;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import io.screenmesh.fusion.v1.ScreenItemStreamResponse;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The text service dies in the middle of a front-door batch stream: every item is still
 * answered exactly once, the ones that could not be screened are blocked (fail-closed, the
 * default policy) with a SCREENING_UNAVAILABLE finding, and the stream completes before its
 * deadline. Runs its own mesh, because it kills a member of it.
 */
class TextOutageIT {

  private static final int PER_BATCH = 12;
  private static final long STREAM_DEADLINE_SECONDS = 60;

  @Test
  void everyItemIsAnsweredOnceAndFailsClosedAfterTextScreeningDies() throws Exception {
    try (Mesh mesh = Mesh.start("text-outage")) {
      Set<String> sent = new TreeSet<>();
      StreamAnswers answers = new StreamAnswers();
      StreamObserver<ScreenItemStreamRequest> requests = FusionCheckerServiceGrpc
          .newStub(mesh.channel(MeshService.FUSION))
          .withDeadlineAfter(STREAM_DEADLINE_SECONDS, TimeUnit.SECONDS)
          .screenItemStream(answers);

      // Batch "before": screened normally while text-screening is up.
      send(requests, sent, "before", PER_BATCH);
      if (!answers.awaitAnswers(PER_BATCH, 30)) {
        fail("only " + answers.size() + " of " + PER_BATCH + " answers before the outage");
      }
      // Batch "during": sent, then text-screening is killed while they may be in flight.
      send(requests, sent, "during", PER_BATCH);
      mesh.kill(MeshService.TEXT);
      // Batch "after": text-screening is certainly gone.
      send(requests, sent, "after", PER_BATCH);
      requests.onCompleted();

      Status status = answers.awaitEnd(STREAM_DEADLINE_SECONDS + 10);
      assertEquals(Status.Code.OK, status.getCode(), "stream ended with " + status + " after "
          + answers.size() + " of " + sent.size() + " answers");
      Map<String, Integer> counts = answers.counts();
      assertEquals(sent, counts.keySet(), "answered ids differ from sent ids");
      counts.forEach((id, n) -> assertEquals(1, n, "item " + id + " answered " + n + " times"));

      for (String id : sent) {
        ScreenItemStreamResponse a = answers.answer(id);
        assertTrue(a.hasResponse(), id + " answered with an error instead of a fail-closed verdict: " + a.getError());
        ScreenItemResponse r = a.getResponse();
        assertEquals(id, r.getId());
        boolean failedClosed = r.getVerdict().getDecision() == Decision.DECISION_BLOCK
            && r.getParts(0).getOutcome() == ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE
            && Screening.categories(r).contains(Category.CATEGORY_SCREENING_UNAVAILABLE);
        boolean screened = r.getVerdict().getDecision() == Decision.DECISION_ALLOW
            && r.getParts(0).getOutcome() == ModalityOutcome.MODALITY_OUTCOME_SCREENED;
        if (id.startsWith("before")) {
          assertTrue(screened, id + " should have been screened and allowed: " + Screening.describe(r));
        } else if (id.startsWith("after")) {
          assertTrue(failedClosed, id + " should fail closed: " + Screening.describe(r) + " outcome "
              + r.getParts(0).getOutcome());
        } else {
          assertTrue(screened || failedClosed, id + " is neither screened nor failed closed: " + Screening.describe(r));
        }
      }
      assertFalse(mesh.isAlive(MeshService.TEXT));
      assertTrue(mesh.isAlive(MeshService.FUSION), "the front door died with text-screening");
    }
  }

  private static void send(StreamObserver<ScreenItemStreamRequest> requests, Set<String> sent, String batch, int n) {
    for (int i = 0; i < n; i++) {
      String id = batch + "-" + i;
      sent.add(id);
      requests.onNext(ScreenItemStreamRequest.newBuilder()
          .setRequest(item(id, text("q", "Question " + i + ": how long should I boil an egg for a soft yolk?")))
          .build());
    }
  }
}
