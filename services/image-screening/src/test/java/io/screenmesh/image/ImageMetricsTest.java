package io.screenmesh.image;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.screenmesh.services.common.testing.MetricsScrape;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The service serves Prometheus metrics at /q/metrics (the management port in deploy/). */
@QuarkusTest
class ImageMetricsTest {

  @TestHTTPResource("/")
  URI uri;

  @Test
  void servesPrometheusMetrics() throws Exception {
    MetricsScrape.scrape(uri);
  }
}
