package io.screenmesh.bench.load;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.ItemError;
import io.screenmesh.common.v1.Verdict;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import io.screenmesh.fusion.v1.ScreenItemStreamResponse;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import io.screenmesh.text.v1.ScreenTextStreamRequest;
import io.screenmesh.text.v1.ScreenTextStreamResponse;
import io.screenmesh.text.v1.TextOrigin;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The service a run drives, behind the two call shapes every screenmesh service has: one
 * unary call per prompt, and a batch of prompts over one bidirectional stream.
 */
public sealed interface Target permits Target.Text, Target.FrontDoor, MediaTarget {

  /**
   * What one call ended with: the status code, the decision when it succeeded, the status
   * description when it failed (empty otherwise), and the front door's own {@code fanout} stage
   * (its calls to the modality services, as it timed them) in microseconds, or -1 when the
   * answer has none.
   */
  record Outcome(Status.Code code, Decision decision, String detail, long fanOutMicros) {
    static Outcome ok(Decision decision) {
      return ok(decision, -1);
    }

    static Outcome ok(Decision decision, long fanOutMicros) {
      return new Outcome(Status.Code.OK, decision, "", fanOutMicros);
    }

    static Outcome failed(Status status) {
      return new Outcome(status.getCode(), Decision.DECISION_UNSPECIFIED,
          status.getDescription() == null ? "" : status.getDescription(), -1);
    }
  }

  /** Receives the end of a unary call. */
  interface UnaryListener {
    /** Called once, on a gRPC thread. */
    void done(Outcome outcome);
  }

  /** Receives the answers of a batch stream. */
  interface BatchListener {
    /** Called once per answer, on a gRPC thread; {@code index} is the prompt's position in the batch. */
    void answer(int index, Outcome outcome);

    /** Called once when the stream ends, with its final status. */
    void end(Status status);
  }

  /** The target's name in reports: {@code text} or {@code front}. */
  String name();

  /** Starts one unary call with a deadline of {@code deadlineMillis}. */
  void call(String id, String prompt, long deadlineMillis, UnaryListener listener);

  /** Sends {@code prompts} over one stream, then half-closes it. */
  void batch(String batchId, List<String> prompts, long deadlineMillis, BatchListener listener);

  /** text-screening called directly: {@code ScreenText} and {@code ScreenTextStream}. */
  record Text(Channel channel) implements Target {
    @Override
    public String name() {
      return "text";
    }

    @Override
    public void call(String id, String prompt, long deadlineMillis, UnaryListener listener) {
      TextScreeningServiceGrpc.newStub(channel).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
          .screenText(request(id, prompt), unary(listener, ScreenTextResponse::getVerdict, r -> -1L));
    }

    @Override
    public void batch(String batchId, List<String> prompts, long deadlineMillis, BatchListener listener) {
      sendAll(TextScreeningServiceGrpc.newStub(channel).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
              .screenTextStream(stream(listener, ScreenTextStreamResponse::getId, r -> itemOutcome(
                  r.hasResponse(), r.getResponse().getVerdict(), r.getError()))),
          batchId, prompts, (id, p) -> ScreenTextStreamRequest.newBuilder().setRequest(request(id, p)).build());
    }

    private static ScreenTextRequest request(String id, String prompt) {
      return ScreenTextRequest.newBuilder().setId(id).setText(prompt).setOrigin(TextOrigin.TEXT_ORIGIN_PROMPT).build();
    }
  }

  /** The front door: {@code ScreenItem} and {@code ScreenItemStream} with one text part per item. */
  record FrontDoor(Channel channel) implements Target {
    @Override
    public String name() {
      return "front";
    }

    @Override
    public void call(String id, String prompt, long deadlineMillis, UnaryListener listener) {
      FusionCheckerServiceGrpc.newStub(channel).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
          .screenItem(request(id, prompt), unary(listener, ScreenItemResponse::getVerdict, FrontDoor::fanOutMicros));
    }

    @Override
    public void batch(String batchId, List<String> prompts, long deadlineMillis, BatchListener listener) {
      sendAll(FusionCheckerServiceGrpc.newStub(channel).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
              .screenItemStream(stream(listener, ScreenItemStreamResponse::getId, r -> itemOutcome(
                  r.hasResponse(), r.getResponse().getVerdict(), r.getError()))),
          batchId, prompts, (id, p) -> ScreenItemStreamRequest.newBuilder().setRequest(request(id, p)).build());
    }

    /** The answer's {@code fanout} stage in microseconds, or -1. */
    static long fanOutMicros(ScreenItemResponse r) {
      for (var t : r.getProcessing().getTimingsList()) {
        if (t.getStage().equals("fanout")) {
          return t.getMicros();
        }
      }
      return -1;
    }

    private static ScreenItemRequest request(String id, String prompt) {
      return ScreenItemRequest.newBuilder().setId(id)
          .addParts(Part.newBuilder().setId("prompt").setText(prompt)).build();
    }
  }

  /** Sends one request per prompt, ids "batchId/index", then half-closes the stream. */
  private static <Q> void sendAll(StreamObserver<Q> out, String batchId, List<String> prompts,
      BiFunction<String, String, Q> request) {
    for (int i = 0; i < prompts.size(); i++) {
      out.onNext(request.apply(batchId + "/" + i, prompts.get(i)));
    }
    out.onCompleted();
  }

  private static Outcome itemOutcome(boolean answered, Verdict verdict, ItemError error) {
    return answered
        ? Outcome.ok(verdict.getDecision())
        : Outcome.failed(Status.fromCodeValue(error.getCode()).withDescription(error.getReason() + ": " + error.getMessage()));
  }

  private static <R> StreamObserver<R> unary(UnaryListener listener,
      Function<R, Verdict> verdict, Function<R, Long> fanOut) {
    return new StreamObserver<>() {
      private Decision decision = Decision.DECISION_UNSPECIFIED;
      private long fanOutMicros = -1;

      @Override
      public void onNext(R r) {
        decision = verdict.apply(r).getDecision();
        fanOutMicros = fanOut.apply(r);
      }

      @Override
      public void onError(Throwable t) {
        listener.done(Outcome.failed(Status.fromThrowable(t)));
      }

      @Override
      public void onCompleted() {
        listener.done(Outcome.ok(decision, fanOutMicros));
      }
    };
  }

  /** Maps answers back to batch positions by the "batchId/index" ids the requests carry. */
  private static <R> StreamObserver<R> stream(BatchListener listener, Function<R, String> id,
      Function<R, Outcome> outcome) {
    return new StreamObserver<>() {
      @Override
      public void onNext(R r) {
        String s = id.apply(r);
        int slash = s.lastIndexOf('/');
        int index;
        try {
          index = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
          index = -1;
        }
        listener.answer(index, outcome.apply(r));
      }

      @Override
      public void onError(Throwable t) {
        listener.end(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        listener.end(Status.OK);
      }
    };
  }
}
