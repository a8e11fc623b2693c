package io.screenmesh.services.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads a running service's Prometheus endpoint, as a scraper does. */
public final class MetricsScrape {

  /** Where every service serves its metrics (the management port when that is enabled). */
  public static final String PATH = "/q/metrics";

  private MetricsScrape() {}

  /** The exposition text served at {@link #PATH} under {@code base}; fails unless it is Prometheus text. */
  public static String scrape(URI base) throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(PATH)).timeout(Duration.ofSeconds(30))
          .header("Accept", "text/plain").GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), PATH + " answered " + r.statusCode());
      assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"),
          "content type " + r.headers().firstValue("content-type"));
      assertTrue(r.body().contains("# TYPE jvm_memory_used_bytes gauge"), "no JVM metrics in the scrape");
      return r.body();
    }
  }

  /**
   * Fails unless {@code scrape} has a sample of {@code name} whose labels include every
   * {@code label="value"} in {@code labels}.
   */
  public static void assertSample(String scrape, String name, String... labels) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        boolean all = true;
        for (String l : labels) {
          all &= line.contains(l);
        }
        if (all) {
          return;
        }
      }
    }
    throw new AssertionError("no sample of " + name + " with " + String.join(",", labels) + " in:\n"
        + scrape.lines().filter(l -> l.startsWith("screenmesh_")).limit(40).reduce("", (a, b) -> a + b + "\n"));
  }
}
