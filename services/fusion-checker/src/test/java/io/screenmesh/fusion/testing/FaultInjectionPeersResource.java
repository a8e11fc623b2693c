package io.screenmesh.fusion.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts {@link FaultInjectionPeers} before the Quarkus application and points its gRPC
 * clients {@code text}, {@code image} and {@code audio} at them, using the same
 * configuration keys the launcher sets, with budgets raised to 30 s. Test fields annotated {@link InjectPeers} receive
 * the peers.
 */
public final class FaultInjectionPeersResource implements QuarkusTestResourceLifecycleManager {

  /** Marks the test field that receives the running {@link FaultInjectionPeers}. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.FIELD)
  public @interface InjectPeers {}

  private FaultInjectionPeers peers;

  @Override
  public Map<String, String> start() {
    try {
      peers = FaultInjectionPeers.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the fault-injection peers", e);
    }
    Map<String, String> config = new HashMap<>();
    client(config, "text", peers.text.port());
    client(config, "image", peers.image.port());
    client(config, "audio", peers.audio.port());
    // A loaded test machine must not turn a healthy call into a deadline: budgets far above
    // what the peers need, and a margin that leaves time to answer before the caller's
    // deadline. Tests of deadlines hang a peer and set the caller's deadline themselves.
    for (String modality : new String[] {"text", "image", "audio"}) {
      config.put("screenmesh.fusion.budget." + modality, "30s");
    }
    config.put("screenmesh.fusion.deadline-margin", "500ms");
    return config;
  }

  private static void client(Map<String, String> config, String name, int port) {
    config.put("quarkus.grpc.clients." + name + ".host", "127.0.0.1");
    config.put("quarkus.grpc.clients." + name + ".port", Integer.toString(port));
    // Quarkus uses test-port instead of port under test.
    config.put("quarkus.grpc.clients." + name + ".test-port", Integer.toString(port));
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(peers, new TestInjector.AnnotatedAndMatchesType(InjectPeers.class, FaultInjectionPeers.class));
  }

  @Override
  public void stop() {
    if (peers != null) {
      try {
        peers.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
