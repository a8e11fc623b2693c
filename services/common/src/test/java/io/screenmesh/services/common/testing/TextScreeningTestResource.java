package io.screenmesh.services.common.testing;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the packaged text-screening ({@link PackagedService#jarOf(String)}) as a separate
 * process for a service's tests and points the service's "text" gRPC client at it.
 *
 * <p>The config property {@value #STATE} tells the tests what happened: {@value #RUNNING}, or
 * why text-screening is not there (not built yet, not implementing the API yet), so the tests
 * that need it skip visibly with {@code assumeTrue}. When it is not there, the client points at
 * a closed port.
 */
public final class TextScreeningTestResource implements QuarkusTestResourceLifecycleManager {

  /** The config property holding {@value #RUNNING} or the reason text-screening is absent. */
  public static final String STATE = "screenmesh.test.text-screening";
  /** The state when text-screening is up and answering. */
  public static final String RUNNING = "running";

  private PackagedService service;

  @Override
  public Map<String, String> start() {
    Path jar = PackagedService.jarOf("text-screening");
    if (!Files.isRegularFile(jar)) {
      return absent("text-screening is not packaged at " + jar + " (build it: ./mvnw -pl services/text-screening package)");
    }
    try {
      service = PackagedService.start(jar, Map.of(), Duration.ofSeconds(60));
    } catch (Exception e) {
      return absent("text-screening at " + jar + " did not start: " + e.getMessage());
    }
    String probe = probe(service.port());
    if (probe != null) {
      stop();
      return absent(probe);
    }
    return Map.of(
        "quarkus.grpc.clients.text.host", "localhost",
        "quarkus.grpc.clients.text.port", Integer.toString(service.port()),
        "quarkus.grpc.clients.text.test-port", Integer.toString(service.port()),
        STATE, RUNNING);
  }

  // A packaged text-screening that does not implement the API yet is "not there", not a failure.
  private static String probe(int port) {
    ManagedChannel ch = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    try {
      TextScreeningServiceGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS)
          .screenText(ScreenTextRequest.newBuilder().setId("probe").setText("hello").build());
      return null;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return "the packaged text-screening does not implement ScreenText yet";
      }
      return "the packaged text-screening failed a probe call: " + e.getStatus();
    } finally {
      ch.shutdownNow();
    }
  }

  private static Map<String, String> absent(String why) {
    int closed;
    try {
      closed = PackagedService.freePort();
    } catch (java.io.IOException e) {
      closed = 1;
    }
    return Map.of(
        "quarkus.grpc.clients.text.host", "localhost",
        "quarkus.grpc.clients.text.port", Integer.toString(closed),
        "quarkus.grpc.clients.text.test-port", Integer.toString(closed),
        STATE, why);
  }

  @Override
  public void stop() {
    if (service != null) {
      service.close();
      service = null;
    }
  }
}
