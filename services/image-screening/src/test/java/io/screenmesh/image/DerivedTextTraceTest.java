package io.screenmesh.image;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerStreamTracer;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.screenmesh.image.v1.ImageScreeningServiceGrpc;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import io.screenmesh.text.v1.ScreenTextStreamResponse;
import io.screenmesh.text.v1.ScreenTextsRequest;
import io.screenmesh.text.v1.ScreenTextsResponse;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Derived text keeps the trace: when image-screening asks text-screening about an image's
 * metadata text, that call carries the W3C {@code traceparent} of the image call, so the
 * caller's trace id reaches text-screening. text-screening is a recording stand-in here that
 * finds nothing; what it answers does not matter to the trace.
 */
@QuarkusTest
@WithTestResource(DerivedTextTraceTest.RecordingTextScreening.class)
class DerivedTextTraceTest {

  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

  /** A text-screening that answers every text with no findings and records each call's traceparent. */
  public static final class RecordingTextScreening implements QuarkusTestResourceLifecycleManager {

    private final Queue<String> traceparents = new ConcurrentLinkedQueue<>();
    private Server server;

    @Override
    public Map<String, String> start() {
      try {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addStreamTracerFactory(new ServerStreamTracer.Factory() {
              @Override
              public ServerStreamTracer newServerStreamTracer(String method, Metadata headers) {
                String traceparent = headers.get(TRACEPARENT);
                traceparents.add(traceparent == null ? "" : traceparent);
                return new ServerStreamTracer() {};
              }
            })
            .addService(new TextScreeningServiceGrpc.TextScreeningServiceImplBase() {
              @Override
              public void screenTexts(ScreenTextsRequest request, StreamObserver<ScreenTextsResponse> out) {
                ScreenTextsResponse.Builder r = ScreenTextsResponse.newBuilder();
                request.getTextsList().forEach(t -> r.addResults(ScreenTextStreamResponse.newBuilder()
                    .setId(t.getId())
                    .setResponse(ScreenTextResponse.newBuilder().setId(t.getId()).setSanitizedText(t.getText()))));
                out.onNext(r.build());
                out.onCompleted();
              }
            })
            .build().start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the recording text-screening", e);
      }
      String port = Integer.toString(server.getPort());
      return Map.of("quarkus.grpc.clients.text.host", "127.0.0.1",
          "quarkus.grpc.clients.text.port", port, "quarkus.grpc.clients.text.test-port", port);
    }

    @Override
    public void inject(TestInjector injector) {
      injector.injectIntoFields(traceparents, f -> f.getName().equals("textTraceparents"));
    }

    @Override
    public void stop() {
      if (server != null) {
        server.shutdownNow();
      }
    }
  }

  @TestHTTPResource("/")
  URL url;

  /** What the stand-in text-screening received; injected by {@link RecordingTextScreening}. */
  Queue<String> textTraceparents;

  @Test
  void metadataTextCallCarriesTheCallersTrace() throws InterruptedException {
    String traceId = "0af7651916cd43dd8448eb211c80319c";
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, "00-" + traceId + "-b7ad6b7169203331-00");
    byte[] png = TestImages.withChunks(TestImages.png(30, 20), TestImages.tEXt("Comment", "a caption to screen"));
    try (ImageGrpcClient client = new ImageGrpcClient(url)) {
      ImageScreeningServiceGrpc.newBlockingStub(client.channel())
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .screenImage(ScreenImageRequest.newBuilder().setId("traced").setData(ByteString.copyFrom(png)).build());
    }
    List<String> received = List.copyOf(textTraceparents);
    assertFalse(received.isEmpty(), "the metadata text was sent to text-screening");
    for (String traceparent : received) {
      assertTrue(traceparent.startsWith("00-" + traceId + "-"),
          "text-screening's call belongs to the caller's trace: '" + traceparent + "' of " + received);
    }
  }
}
