package io.screenmesh.services.common.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.ScreeningException;
import io.screenmesh.services.common.testing.StreamCalls;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import io.screenmesh.text.v1.ScreenTextStreamRequest;
import io.screenmesh.text.v1.ScreenTextStreamResponse;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The adapter over a real (in-process) gRPC transport, with a toy engine behind a real batcher. */
class EngineCallsTest {

  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private DynamicBatcher<ScreenTextRequest, ScreenTextResponse> batcher;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    // The engine echoes the text, sleeping a random bit so answers finish out of order; "bad"
    // texts fail alone.
    batcher = new DynamicBatcher<>("echo", new DynamicBatcher.Settings(8, Duration.ofMillis(1), 1000, 4), batch -> {
      for (var i : batch) {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
      }
      Thread.sleep(ThreadLocalRandom.current().nextInt(3));
      for (var i : batch) {
        inFlight.decrementAndGet();
        if (i.input().getText().equals("bad")) {
          i.fail(ScreeningException.invalid("BAD_TEXT", "bad text"));
        } else if (i.input().getText().equals("bug")) {
          i.fail(new IllegalArgumentException("an internal detail"));
        } else {
          i.complete(ScreenTextResponse.newBuilder().setId(i.input().getId()).setSanitizedText(i.input().getText()).build());
        }
      }
    });
    EngineCalls<ScreenTextRequest, ScreenTextResponse> calls = new EngineCalls<>(batcher, 16);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(new TextScreeningServiceGrpc.TextScreeningServiceImplBase() {
      @Override
      public void screenText(ScreenTextRequest request, StreamObserver<ScreenTextResponse> response) {
        calls.unary(request, response);
      }

      @Override
      public StreamObserver<ScreenTextStreamRequest> screenTextStream(StreamObserver<ScreenTextStreamResponse> response) {
        return calls.stream(response, r -> r.hasRequest() ? r.getRequest() : null, r -> r.getRequest().getId(),
            (id, r) -> ScreenTextStreamResponse.newBuilder().setId(id).setResponse(r).build(),
            (id, e) -> ScreenTextStreamResponse.newBuilder().setId(id).setError(e).build());
      }
    }).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
    batcher.close();
  }

  private static ScreenTextStreamRequest item(String id, String text) {
    return ScreenTextStreamRequest.newBuilder()
        .setRequest(ScreenTextRequest.newBuilder().setId(id).setText(text)).build();
  }

  @Test
  void unaryAnswersAndMapsFailures() {
    var stub = TextScreeningServiceGrpc.newBlockingStub(channel);
    assertEquals("hello", stub.screenText(ScreenTextRequest.newBuilder().setId("1").setText("hello").build()).getSanitizedText());
    StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
        () -> stub.screenText(ScreenTextRequest.newBuilder().setText("bad").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
    assertEquals("BAD_TEXT", GrpcErrors.reasonOf(bad));
    StatusRuntimeException bug = assertThrows(StatusRuntimeException.class,
        () -> stub.screenText(ScreenTextRequest.newBuilder().setText("bug").build()));
    assertEquals(Status.Code.INTERNAL, bug.getStatus().getCode());
    assertTrue(!bug.getStatus().getDescription().contains("internal detail"), bug.getStatus().getDescription());
  }

  @Test
  void aStreamAnswersEveryItemOnceInArrivalOrderWithinItsWindow() throws Exception {
    List<ScreenTextStreamRequest> items = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      items.add(i % 97 == 5 ? item("i" + i, "bad") : i == 1234 ? ScreenTextStreamRequest.getDefaultInstance() : item("i" + i, "t" + i));
    }
    var stub = TextScreeningServiceGrpc.newStub(channel);
    List<ScreenTextStreamResponse> answers = StreamCalls.collect(stub::screenTextStream, items, Duration.ofSeconds(60));
    assertEquals(items.size(), answers.size());
    for (int i = 0; i < items.size(); i++) {
      ScreenTextStreamResponse a = answers.get(i);
      if (i == 1234) {
        assertEquals("MISSING_REQUEST", a.getError().getReason());
      } else if (i % 97 == 5) {
        assertEquals("i" + i, a.getId());
        assertEquals("BAD_TEXT", a.getError().getReason());
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), a.getError().getCode());
      } else {
        assertEquals("i" + i, a.getId());
        assertEquals("t" + i, a.getResponse().getSanitizedText());
      }
    }
    // One stream never has more than its window in the engine, however fast it sends.
    assertTrue(maxInFlight.get() <= 16, "in flight at once: " + maxInFlight.get());
  }

  @Test
  void unaryAndStreamsTogetherAnswerEverythingOnce() throws Exception {
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int s = 0; s < 3; s++) {
      int base = s;
      threads.add(Thread.ofVirtual().start(() -> {
        try {
          List<ScreenTextStreamRequest> items = new ArrayList<>();
          for (int i = 0; i < 300; i++) {
            items.add(item(base + "-" + i, "x" + i));
          }
          var answers = StreamCalls.collect(TextScreeningServiceGrpc.newStub(channel)::screenTextStream, items, Duration.ofSeconds(60));
          assertEquals(300, answers.size());
          for (int i = 0; i < 300; i++) {
            assertEquals(base + "-" + i, answers.get(i).getId());
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      }));
    }
    for (int u = 0; u < 4; u++) {
      int base = u;
      threads.add(Thread.ofVirtual().start(() -> {
        try {
          var stub = TextScreeningServiceGrpc.newBlockingStub(channel);
          for (int i = 0; i < 100; i++) {
            assertEquals("u" + base + i, stub.screenText(ScreenTextRequest.newBuilder().setText("u" + base + i).build()).getSanitizedText());
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      }));
    }
    for (Thread t : threads) {
      t.join(120_000);
    }
    assertEquals(List.of(), failures);
  }
}
