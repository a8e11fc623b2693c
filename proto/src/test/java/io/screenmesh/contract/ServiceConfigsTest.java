package io.screenmesh.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import com.google.protobuf.util.Durations;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.screenmesh.audio.v1.AudioScreeningServiceGrpc;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.image.v1.ImageScreeningServiceGrpc;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ServiceConfigsTest {

  private static final List<ServiceDescriptor> SERVICES = List.of(
      TextScreeningServiceGrpc.getServiceDescriptor(),
      ImageScreeningServiceGrpc.getServiceDescriptor(),
      AudioScreeningServiceGrpc.getServiceDescriptor(),
      FusionCheckerServiceGrpc.getServiceDescriptor());

  /** Inline screening: no unary call may be configured to wait longer than this. */
  private static final Duration LONGEST_TIMEOUT = Durations.fromSeconds(10);

  @Test
  void everyMethodOfTheContractIsConfiguredExactlyOnceAndNoOtherIs() {
    Map<String, MethodDescriptor<?, ?>> methods = contractMethods();
    Map<String, Integer> seen = new HashMap<>();
    for (Map<String, ?> mc : methodConfigs()) {
      for (Object n : list(mc.get("name"))) {
        Map<String, ?> name = map(n);
        String full = name.get("service") + "/" + name.get("method");
        assertTrue(methods.containsKey(full), full + " is named in " + ServiceConfigs.RESOURCE + " but is not in the contract");
        seen.merge(full, 1, Integer::sum);
      }
    }
    assertEquals(methods.keySet(), seen.keySet(), "methods without a config");
    seen.forEach((m, count) -> assertEquals(1, count, m + " is configured more than once"));
  }

  @Test
  void unaryCallsHaveInlineTimeoutsAndStreamsNone() {
    Map<String, MethodDescriptor<?, ?>> methods = contractMethods();
    for (Map<String, ?> mc : methodConfigs()) {
      for (Object n : list(mc.get("name"))) {
        Map<String, ?> name = map(n);
        MethodDescriptor<?, ?> m = methods.get(name.get("service") + "/" + name.get("method"));
        if (m.getType() == MethodDescriptor.MethodType.UNARY) {
          Duration t = duration(mc.get("timeout"));
          assertTrue(Durations.toMillis(t) > 0 && Durations.compare(t, LONGEST_TIMEOUT) <= 0,
              m.getFullMethodName() + " timeout " + Durations.toString(t) + " is not in (0, 10 s]");
        } else {
          assertFalse(mc.containsKey("timeout"), m.getFullMethodName() + " is a stream and must have no timeout");
        }
      }
    }
  }

  @Test
  void retriesOnlyUnavailableAtMostThreeAttempts() {
    for (Map<String, ?> mc : methodConfigs()) {
      Map<String, ?> retry = map(mc.get("retryPolicy"));
      assertEquals(List.of("UNAVAILABLE"), retry.get("retryableStatusCodes"));
      double attempts = (Double) retry.get("maxAttempts");
      assertTrue(attempts >= 2 && attempts <= 3, "maxAttempts " + attempts);
      Duration initial = duration(retry.get("initialBackoff"));
      Duration max = duration(retry.get("maxBackoff"));
      assertTrue(Durations.toMillis(initial) > 0 && Durations.compare(initial, max) <= 0, "backoff " + retry);
      assertTrue(Durations.toMillis(max) <= 1000, "a backoff over 1 s does not fit inline screening: " + retry);
    }
  }

  @Test
  void grpcRetriesUnavailableUpToThreeAttempts() throws Exception {
    assertEquals(3, attemptsUntilDone(Status.UNAVAILABLE, 2), "two UNAVAILABLE then an answer");
    assertEquals(3, attemptsUntilDone(Status.UNAVAILABLE, Integer.MAX_VALUE), "given up after 3 attempts");
  }

  @Test
  void grpcDoesNotRetryOtherCodes() throws Exception {
    assertEquals(1, attemptsUntilDone(Status.RESOURCE_EXHAUSTED, Integer.MAX_VALUE));
    assertEquals(1, attemptsUntilDone(Status.INVALID_ARGUMENT, Integer.MAX_VALUE));
  }

  @Test
  void notAJsonObjectIsRefused() {
    assertThrows(IllegalStateException.class, () -> ServiceConfigs.parse("[1, 2]"));
    assertThrows(IllegalStateException.class, () -> ServiceConfigs.parse("{\"methodConfig\": "));
  }

  /**
   * Calls ScreenText once through a channel configured by {@link ServiceConfigs#apply} against a
   * server that fails the first {@code failures} attempts with {@code code}; returns how many
   * attempts reached the server.
   */
  private static int attemptsUntilDone(Status code, int failures) throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    var impl = new TextScreeningServiceGrpc.TextScreeningServiceImplBase() {
      @Override
      public void screenText(ScreenTextRequest request, StreamObserver<ScreenTextResponse> out) {
        if (attempts.incrementAndGet() <= failures) {
          out.onError(code.withDescription("attempt " + attempts.get()).asRuntimeException());
        } else {
          out.onNext(ScreenTextResponse.getDefaultInstance());
          out.onCompleted();
        }
      }
    };
    String name = InProcessServerBuilder.generateName();
    Server server = InProcessServerBuilder.forName(name).directExecutor().addService(impl).build().start();
    ManagedChannel channel = ServiceConfigs.apply(InProcessChannelBuilder.forName(name)).build();
    try {
      var stub = TextScreeningServiceGrpc.newBlockingStub(channel);
      ScreenTextRequest req = ScreenTextRequest.newBuilder().setText("hello").build();
      if (failures < 3) {
        assertNotNull(stub.screenText(req));
      } else {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.screenText(req));
        assertEquals(code.getCode(), e.getStatus().getCode());
      }
      return attempts.get();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Map<String, MethodDescriptor<?, ?>> contractMethods() {
    Map<String, MethodDescriptor<?, ?>> out = new HashMap<>();
    for (ServiceDescriptor s : SERVICES) {
      s.getMethods().forEach(m -> out.put(m.getFullMethodName(), m));
    }
    return out;
  }

  private static List<Map<String, ?>> methodConfigs() {
    List<?> configs = list(ServiceConfigs.defaultServiceConfig().get("methodConfig"));
    assertFalse(configs.isEmpty());
    return configs.stream().<Map<String, ?>>map(ServiceConfigsTest::map).toList();
  }

  private static Duration duration(Object v) {
    assertInstanceOf(String.class, v, "a duration is a string such as \"2s\" or \"0.050s\"");
    try {
      return Durations.parse((String) v);
    } catch (java.text.ParseException e) {
      throw new AssertionError("not a duration: " + v, e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> map(Object v) {
    return (Map<String, ?>) assertInstanceOf(Map.class, v);
  }

  private static List<?> list(Object v) {
    return assertInstanceOf(List.class, v);
  }
}
