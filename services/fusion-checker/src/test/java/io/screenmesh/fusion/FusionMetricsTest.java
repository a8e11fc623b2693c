package io.screenmesh.fusion;

import static io.screenmesh.services.common.testing.MetricsScrape.assertSample;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.screenmesh.fusion.testing.FaultInjectionPeersResource;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import io.screenmesh.fusion.v1.ScreenItemStreamResponse;
import io.screenmesh.services.common.testing.MetricsScrape;
import io.screenmesh.services.common.testing.StreamCalls;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The service serves Prometheus metrics at /q/metrics (the management port in deploy/). */
@QuarkusTest
@WithTestResource(FaultInjectionPeersResource.class)
class FusionMetricsTest {

  @TestHTTPResource("/")
  URI uri;

  @Test
  void servesPrometheusMetrics() throws Exception {
    MetricsScrape.scrape(uri);
  }

  @Test
  void aStreamReportsTheAdmissionOfItsParts() throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort()).usePlaintext().build();
    try {
      List<ScreenItemStreamResponse> answers = StreamCalls.collect(
          FusionCheckerServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)::screenItemStream,
          List.of(ScreenItemStreamRequest.newBuilder().setRequest(ScreenItemRequest.newBuilder().setId("m1")
              .addParts(Part.newBuilder().setId("t").setText("what is the weather like today?"))).build()),
          Duration.ofSeconds(30));
      assertEquals(1, answers.size());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    String scrape = MetricsScrape.scrape(uri);
    assertSample(scrape, "screenmesh_admission_limit", "modality=\"MODALITY_TEXT\"");
    assertSample(scrape, "screenmesh_admission_in_flight", "modality=\"MODALITY_IMAGE\"");
    assertSample(scrape, "screenmesh_admission_waiting", "modality=\"MODALITY_AUDIO\"");
  }
}
