package io.screenmesh.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.screenmesh.fusion.testing.FaultInjectionPeers;
import io.screenmesh.fusion.testing.FaultInjectionPeersResource;
import io.screenmesh.fusion.testing.FaultInjectionPeersResource.InjectPeers;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The front door carries the W3C trace context to the modality services: a ScreenItem call's
 * trace reaches every peer it fans out to, as the {@code traceparent} header of the peer's
 * call, with the front door's own client span as the parent. Runs with the shipped sampling
 * (ratio 0): the context travels whether or not a trace is recorded.
 */
@QuarkusTest
@WithTestResource(FaultInjectionPeersResource.class)
@TestProfile(TracePropagationTest.FreshPeers.class)
class TracePropagationTest {

  /**
   * A profile of its own, so this class gets its own application and live peers: the suite's
   * other classes with the same test resource share theirs, and one of them kills a peer.
   */
  public static final class FreshPeers implements QuarkusTestProfile {}

  private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
  private static final Metadata.Key<String> TRACEPARENT_HEADER =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

  @InjectPeers
  FaultInjectionPeers peers;

  @TestHTTPResource("/")
  URI uri;

  /** Screens one item with a text and an image part, sending {@code headers} with the call. */
  private void screenTextAndImage(Metadata headers) throws InterruptedException {
    peers.reset();
    ManagedChannel channel = NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort()).usePlaintext().build();
    try {
      FusionCheckerServiceGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .screenItem(textAndImage());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static ScreenItemRequest textAndImage() {
    return ScreenItemRequest.newBuilder().setId("traced")
        .addParts(Part.newBuilder().setId("t").setText("hello"))
        .addParts(Part.newBuilder().setId("i").setImage(ByteString.copyFromUtf8("\u0089PNG bytes")))
        .build();
  }

  @Test
  void callersTraceReachesEveryPeer() throws InterruptedException {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String callerSpan = "00f067aa0ba902b7";
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT_HEADER, "00-" + traceId + "-" + callerSpan + "-00");
    screenTextAndImage(headers);

    for (List<String> received : List.of(peers.text.traceparents(), peers.image.traceparents())) {
      assertEquals(1, received.size(), "one screening call per peer: " + received);
      Matcher m = TRACEPARENT.matcher(received.get(0));
      assertTrue(m.matches(), "the peer got a W3C traceparent: '" + received.get(0) + "'");
      assertEquals(traceId, m.group(1), "the peer's call belongs to the caller's trace");
      assertNotEquals(callerSpan, m.group(2), "the parent is the front door's client span, not the caller's");
    }
    assertTrue(peers.audio.traceparents().isEmpty(), "no audio part, no audio call");
  }

  @Test
  void frontDoorStartsATraceWhenTheCallerSendsNone() throws InterruptedException {
    screenTextAndImage(new Metadata());

    Matcher text = TRACEPARENT.matcher(peers.text.traceparents().get(0));
    Matcher image = TRACEPARENT.matcher(peers.image.traceparents().get(0));
    assertTrue(text.matches() && image.matches(),
        "both peers got a traceparent: " + peers.text.traceparents() + " " + peers.image.traceparents());
    assertNotEquals("00000000000000000000000000000000", text.group(1), "a valid trace id");
    assertEquals(text.group(1), image.group(1), "one item, one trace across the fan-out");
    assertNotEquals(text.group(2), image.group(2), "each peer call is its own client span");
  }
}
