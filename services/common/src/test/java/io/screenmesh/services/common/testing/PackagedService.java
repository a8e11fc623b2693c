package io.screenmesh.services.common.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A packaged screenmesh service ({@code target/quarkus-app/quarkus-run.jar}) started as a
 * separate process on a free localhost port, for tests that need a real peer. The process's
 * output goes to a log file whose tail is shown when it fails to start.
 */
public final class PackagedService implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;

  private PackagedService(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * The packaged jar of a sibling service module, such as {@code text-screening}: the system
   * property {@code screenmesh.test.<module>.jar} when set, otherwise
   * {@code ../<module>/target/quarkus-app/quarkus-run.jar} from the working directory (Surefire
   * runs in the module's directory).
   */
  public static Path jarOf(String module) {
    String override = System.getProperty("screenmesh.test." + module + ".jar");
    if (override != null && !override.isBlank()) {
      return Path.of(override);
    }
    return Path.of("..", module, "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();
  }

  /** A port that was free a moment ago. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /**
   * Starts {@code jar} with the running JVM's {@code java} and waits until its port accepts
   * connections.
   *
   * @param env extra environment (the HTTP/gRPC port is set here through QUARKUS_HTTP_PORT)
   * @param startTimeout the longest the start may take
   * @throws IllegalStateException when the process exits or does not listen in time; the
   *     message carries the tail of its log
   */
  public static PackagedService start(Path jar, Map<String, String> env, Duration startTimeout)
      throws IOException, InterruptedException {
    int port = freePort();
    Path log = Files.createTempFile("screenmesh-" + jar.getParent().getParent().getParent().getFileName(), ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
        "-jar", jar.toString()))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    // The packaged modality services require client certificates when TLS is on (a build-time
    // setting); these single-service tests speak plain HTTP/2, which must then be asked for.
    pb.environment().put("QUARKUS_HTTP_INSECURE_REQUESTS", "enabled");
    Process p = pb.start();
    PackagedService service = new PackagedService(p, port, log);
    long deadline = System.nanoTime() + startTimeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        service.close();
        throw new IllegalStateException(jar + " exited with " + p.exitValue() + " before listening:\n" + service.logTail());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("localhost", port), 200);
        return service;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    service.close();
    throw new IllegalStateException(jar + " did not listen on port " + port + " within "
        + startTimeout + ":\n" + service.logTail());
  }

  /** The port the service listens on (HTTP and gRPC share it). */
  public int port() {
    return port;
  }

  /** The last lines the process wrote. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /** Stops the process: politely, then forcibly after ten seconds. Idempotent. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
