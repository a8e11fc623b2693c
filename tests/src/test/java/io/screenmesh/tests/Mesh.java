package io.screenmesh.tests;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The four packaged services started as real OS processes on free localhost ports and wired
 * to each other: fusion-checker → text, image and audio screening; image and audio screening →
 * text screening. Each process's output goes to {@code <logs>/<label>/<service>.log}.
 *
 * <p>As in production, every connection is TLS and the services are configured exactly as the
 * launcher does it: material from {@code deploy/mesh-tls.sh} (a private CA, a server
 * certificate, a client certificate per mesh identity, the JWT signing key) made fresh in the
 * log folder; the modality services require a client certificate (mutual TLS) naming an
 * identity they admit, and the front door requires a JWT ({@code screenmesh.auth.jwt.*}) minted
 * by {@code deploy/mint-token.sh}. The test's channels present the front door's certificate
 * ({@link #channelAs} another's); {@link #channel} also attaches a token with scopes
 * {@code screen screen:batch}, {@link #rawChannel} does not.
 *
 * <p>Where things are read from, as system properties (set by the module's failsafe
 * configuration; the defaults suit a run from {@code tests/}):
 * <ul>
 *   <li>{@code screenmesh.root}: the repository root holding
 *       {@code services/<name>/target/quarkus-app/quarkus-run.jar}; default: the first parent of
 *       the working directory that has a {@code services} folder;
 *   <li>{@code screenmesh.mesh.logs}: the log folder; default {@code target/mesh-logs};
 *   <li>{@code screenmesh.mesh.startup-seconds}: the bound on the wait for all four to serve;
 *       default 90 (four JVMs starting at once on two cores).
 * </ul>
 *
 * <p>{@link #close()} stops every process it started, also when start-up failed half way; a
 * shutdown hook does the same if the test JVM exits without closing.
 */
public final class Mesh implements AutoCloseable {

  private static final String HOST = "127.0.0.1";
  // Sanitized images come back whole; the gRPC default of 4 MiB is too small for some.
  private static final int MAX_INBOUND_BYTES = 64 * 1024 * 1024;

  /** The URI SAN prefix of the mesh identities deploy/mesh-tls.sh issues. */
  private static final String MESH_ID = "spiffe://screenmesh/";
  /** The front door's identity: the file stem of its certificate and its SAN's last segment. */
  static final String FRONT_DOOR_IDENTITY = "fusion-checker";
  private static final String JWT_ISSUER = "screenmesh-dev";
  private static final String JWT_AUDIENCE = "screenmesh";

  private final String label;
  private final Path logDir;
  private Path root;
  private String token;
  private final Map<MeshService, Integer> ports = new EnumMap<>(MeshService.class);
  private final Map<MeshService, Process> processes = new EnumMap<>(MeshService.class);
  private final Map<MeshService, ManagedChannel> channels = new EnumMap<>(MeshService.class);
  private final Map<MeshService, List<String>> extraFlags = new EnumMap<>(MeshService.class);
  private final Thread shutdownHook;
  private volatile boolean closed;

  private Mesh(String label, Path logDir) {
    this.label = label;
    this.logDir = logDir;
    this.shutdownHook = new Thread(this::stopProcesses, "mesh-" + label + "-shutdown");
  }

  /**
   * Starts the four services and waits until each answers its gRPC health check with SERVING.
   *
   * @param label names this mesh's log folder, such as {@code shared} or {@code text-outage}
   * @return the running mesh; close it to stop the processes
   * @throws IllegalStateException if a packaged service is missing ("run ./mvnw package first"),
   *     a process exits during start-up, or the services do not serve within the bound; the
   *     message names the service and the tail of its log
   */
  public static Mesh start(String label) {
    return start(label, repositoryRoot());
  }

  /**
   * {@link #start(String)} with extra JVM flags for some services (such as
   * {@code -Dscreenmesh.text.batch.queue-capacity=1}), added after the mesh's own.
   */
  public static Mesh start(String label, Map<MeshService, List<String>> flags) {
    return start(label, repositoryRoot(), flags);
  }

  /** {@link #start(String)} with the packaged services looked for under {@code root}. */
  static Mesh start(String label, Path root) {
    return start(label, root, Map.of());
  }

  private static Mesh start(String label, Path root, Map<MeshService, List<String>> flags) {
    Map<MeshService, Path> jars = new EnumMap<>(MeshService.class);
    List<String> missing = new ArrayList<>();
    for (MeshService s : MeshService.values()) {
      Path jar = root.resolve("services").resolve(s.module()).resolve("target/quarkus-app/quarkus-run.jar");
      if (!Files.isRegularFile(jar)) {
        missing.add(jar.toString());
      }
      jars.put(s, jar);
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("packaged service missing: " + String.join(", ", missing)
          + " — run ./mvnw package first (from " + root + ")");
    }
    Path logDir = Path.of(System.getProperty("screenmesh.mesh.logs", "target/mesh-logs")).resolve(label);
    Mesh mesh = new Mesh(label, logDir);
    mesh.extraFlags.putAll(flags);
    Runtime.getRuntime().addShutdownHook(mesh.shutdownHook);
    try {
      Files.createDirectories(logDir);
      mesh.makeTlsMaterial(root);
      int[] free = freePorts(MeshService.values().length);
      for (MeshService s : MeshService.values()) {
        mesh.ports.put(s, free[s.ordinal()]);
      }
      for (MeshService s : MeshService.values()) {
        mesh.launch(s, jars.get(s));
      }
      mesh.awaitServing(Duration.ofSeconds(Long.getLong("screenmesh.mesh.startup-seconds", 90)));
      return mesh;
    } catch (IOException e) {
      mesh.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      mesh.close();
      throw e;
    }
  }

  /** The localhost port a service serves HTTP and gRPC on. */
  public int port(MeshService service) {
    return ports.get(service);
  }

  /** The log file a service's output goes to. */
  public Path logFile(MeshService service) {
    return logDir.resolve(service.module() + ".log");
  }

  /**
   * A TLS channel to a service that carries the mesh's bearer token on every call, so
   * the front door accepts it (the other services ignore it).
   */
  public Channel channel(MeshService service) {
    return withToken(rawChannel(service));
  }

  /** {@code channel} carrying the mesh's bearer token on every call. */
  public Channel withToken(Channel channel) {
    Metadata auth = new Metadata();
    auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(auth));
  }

  /**
   * A new TLS channel to a service on a connection of its own, as a second caller would
   * have, without the token ({@link #withToken}); the caller shuts it down.
   */
  public ManagedChannel separateRawChannel(MeshService service) {
    ensureOpen();
    return openChannel(service);
  }

  /**
   * A TLS channel to a service without the bearer token, opened on first use and shut down by
   * {@link #close()}; callers must not shut it down themselves.
   */
  public synchronized ManagedChannel rawChannel(MeshService service) {
    ensureOpen();
    return channels.computeIfAbsent(service, this::openChannel);
  }

  private ManagedChannel openChannel(MeshService s) {
    // A test that calls a modality service directly stands in for the front door, the one
    // identity every modality service admits.
    return channelAs(s, FRONT_DOOR_IDENTITY);
  }

  /**
   * A new TLS channel to a service presenting the client certificate of {@code identity} (a
   * file stem of deploy/mesh-tls.sh: {@code fusion-checker}, {@code image-screening},
   * {@code audio-screening}, or {@code client} for the CLI's); the caller shuts it down.
   */
  public ManagedChannel channelAs(MeshService s, String identity) {
    ensureOpen();
    try {
      return NettyChannelBuilder.forAddress("localhost", port(s))
          .sslContext(GrpcSslContexts.forClient()
              .trustManager(tlsFile("ca.crt").toFile())
              .keyManager(tlsFile(identity + ".crt").toFile(), tlsFile(identity + ".key").toFile())
              .build())
          .maxInboundMessageSize(MAX_INBOUND_BYTES)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the mesh's TLS material in " + tlsFile(""), e);
    }
  }

  /**
   * Kills one service at once (SIGKILL: no graceful shutdown, as in a crash) and waits, bounded,
   * until the process is gone.
   *
   * @throws IllegalStateException if the process is still alive after 10 seconds
   */
  public void kill(MeshService service) throws InterruptedException {
    ensureOpen();
    Process p = processes.get(service);
    p.destroyForcibly();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException(service.module() + " (pid " + p.pid() + ") still alive 10 s after SIGKILL");
    }
  }

  /**
   * Asks one service to stop (SIGTERM, a graceful shutdown) and waits, bounded, until the
   * process is gone.
   *
   * @return how long the process took to exit, in milliseconds
   * @throws IllegalStateException if the process is still alive after {@code bound}
   */
  public long terminate(MeshService service, Duration bound) throws InterruptedException {
    ensureOpen();
    Process p = processes.get(service);
    long t0 = System.nanoTime();
    p.destroy();
    if (!p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(service.module() + " (pid " + p.pid() + ") still alive " + bound + " after SIGTERM");
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /**
   * Stops one service's process (SIGSTOP) without closing its sockets, as a hung JVM would: its
   * connections stay open and its calls are never answered. {@link #resume} undoes it.
   */
  public void pause(MeshService service) throws InterruptedException {
    signal(service, "STOP");
  }

  /** Lets a paused service run again (SIGCONT). */
  public void resume(MeshService service) throws InterruptedException {
    signal(service, "CONT");
  }

  private void signal(MeshService service, String signal) throws InterruptedException {
    ensureOpen();
    long pid = processes.get(service).pid();
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " " + pid + " (" + service.module() + ") failed: "
            + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + signal, e);
    }
  }

  /** The process id of a service, for tools such as {@code jcmd}. */
  public long pid(MeshService service) {
    return processes.get(service).pid();
  }

  /** Whether a service's process is alive. */
  public boolean isAlive(MeshService service) {
    Process p = processes.get(service);
    return p != null && p.isAlive();
  }

  /**
   * A new channel to a service that trusts the mesh CA but presents no client certificate, as
   * an outsider on the network would; the caller shuts it down.
   */
  public ManagedChannel channelWithoutClientCertificate(MeshService service) throws IOException {
    ensureOpen();
    return NettyChannelBuilder.forAddress("localhost", port(service))
        .sslContext(GrpcSslContexts.forClient().trustManager(tlsFile("ca.crt").toFile()).build())
        .build();
  }

  /** A new plaintext channel to a service (no TLS at all); the caller shuts it down. */
  public ManagedChannel plaintextChannel(MeshService service) {
    ensureOpen();
    return NettyChannelBuilder.forAddress("localhost", port(service)).usePlaintext().build();
  }

  /** Stops every process (SIGTERM, then SIGKILL after a bounded wait) and closes the channels. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (this) {
      for (ManagedChannel c : channels.values()) {
        c.shutdownNow();
      }
    }
    stopProcesses();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // The hook is running or ran; the processes are being stopped there.
    }
  }

  @Override
  public String toString() {
    return "Mesh[" + label + " " + ports + "]";
  }

  private void launch(MeshService s, Path jar) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString(),
        "--enable-native-access=ALL-UNNAMED",
        "-Dquarkus.http.host=" + HOST,
        "-Dquarkus.http.port=0",
        "-Dquarkus.http.ssl-port=" + port(s),
        "-Dquarkus.http.insecure-requests=disabled",
        "-Dquarkus.tls.key-store.pem.mesh.cert=" + tlsFile("server.crt"),
        "-Dquarkus.tls.key-store.pem.mesh.key=" + tlsFile("server.key"),
        "-Dquarkus.tls.trust-store.pem.certs=" + tlsFile("ca.crt")));
    // As the launcher: JWTs signed by the development key at the front door, and each modality
    // service admits only the mesh identities that call it.
    switch (s) {
      case FUSION -> {
        cmd.add("-Dscreenmesh.auth.jwt.keys=" + tlsFile("jwt.pub"));
        cmd.add("-Dscreenmesh.auth.jwt.issuer=" + JWT_ISSUER);
        cmd.add("-Dscreenmesh.auth.jwt.audience=" + JWT_AUDIENCE);
        cmd.addAll(client("text", MeshService.TEXT, FRONT_DOOR_IDENTITY));
        cmd.addAll(client("image", MeshService.IMAGE, FRONT_DOOR_IDENTITY));
        cmd.addAll(client("audio", MeshService.AUDIO, FRONT_DOOR_IDENTITY));
      }
      case IMAGE, AUDIO -> {
        cmd.addAll(client("text", MeshService.TEXT, s.module()));
        cmd.add("-Dscreenmesh.auth.allowed-clients=" + MESH_ID + FRONT_DOOR_IDENTITY);
      }
      case TEXT -> cmd.add("-Dscreenmesh.auth.allowed-clients=" + MESH_ID + FRONT_DOOR_IDENTITY + ","
          + MESH_ID + MeshService.IMAGE.module() + "," + MESH_ID + MeshService.AUDIO.module());
    }
    cmd.addAll(extraFlags.getOrDefault(s, List.of()));
    cmd.add("-jar");
    cmd.add(jar.toString());
    Path log = logFile(s);
    Files.writeString(log, "# " + String.join(" ", cmd) + System.lineSeparator(), StandardCharsets.UTF_8);
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .directory(jar.getParent().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // The ports and peers come from the -D flags above; leftovers in the environment of the
    // test JVM must not override them.
    pb.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_"));
    processes.put(s, pb.start());
  }

  /** The mesh's bearer token (scopes {@code screen screen:batch}), for a client in another process. */
  String token() {
    return token;
  }

  /**
   * A development JWT with {@code scopes} (space-separated), minted by deploy/mint-token.sh as
   * {@code ./screenmesh token} does.
   */
  public String token(String scopes) {
    return run(root.resolve("deploy/mint-token.sh"), tlsFile("").toString(), scopes, "3600", "tests", JWT_ISSUER,
        JWT_AUDIENCE).strip();
  }

  /** A file of the mesh's TLS material (ca.crt, client.crt, client.key, ...), for a client in another process. */
  Path tlsFile(String name) {
    return logDir.resolve("tls").resolve(name).toAbsolutePath();
  }

  /** Makes fresh TLS material and token with the launcher's own script, bounded in time. */
  private void makeTlsMaterial(Path root) throws IOException {
    Path dir = tlsFile("");
    if (Files.isDirectory(dir)) {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
    }
    this.root = root;
    run(root.resolve("deploy/mesh-tls.sh"), dir.toString(), "1", "DNS:localhost,IP:127.0.0.1");
    token = token("screen screen:batch");
  }

  /** Runs one of the launcher's scripts, bounded in time, and returns what it printed. */
  private static String run(Path script, String... args) {
    List<String> cmd = new ArrayList<>(List.of(script.toString()));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(script + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + script, e);
    }
  }

  private List<String> client(String name, MeshService target, String identity) {
    String prefix = "-Dquarkus.grpc.clients." + name + ".";
    return List.of(prefix + "host=localhost", prefix + "port=" + port(target), prefix + "plain-text=false",
        prefix + "ssl.certificate=" + tlsFile(identity + ".crt"), prefix + "ssl.key=" + tlsFile(identity + ".key"),
        prefix + "ssl.trust-store=" + tlsFile("ca.crt"));
  }

  private void awaitServing(Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    for (MeshService s : MeshService.values()) {
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(rawChannel(s));
      String last = "no answer yet";
      while (true) {
        Process p = processes.get(s);
        if (!p.isAlive()) {
          throw new IllegalStateException(s.module() + " exited with code " + p.exitValue()
              + " during start-up; log " + logFile(s) + ":\n" + tail(logFile(s)));
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(s.module() + " did not serve within " + bound.toSeconds()
              + " s (last health answer: " + last + "); log " + logFile(s) + ":\n" + tail(logFile(s)));
        }
        // A refused connection puts the channel into exponential reconnect backoff (up to
        // minutes); while a JVM is still starting that would delay noticing it is up.
        rawChannel(s).resetConnectBackoff();
        try {
          ServingStatus status = health.withDeadlineAfter(Math.min(left, TimeUnit.SECONDS.toNanos(2)), TimeUnit.NANOSECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus();
          if (status == ServingStatus.SERVING) {
            break;
          }
          last = status.name();
        } catch (StatusRuntimeException e) {
          last = e.getStatus().toString();
        }
        sleep(100);
      }
    }
  }

  private synchronized void stopProcesses() {
    for (Process p : processes.values()) {
      p.destroy();
    }
    for (Process p : processes.values()) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("mesh " + label + " is closed");
    }
  }

  /** Holds {@code n} ephemeral ports open at once so that they differ, then releases them. */
  private static int[] freePorts(int n) throws IOException {
    ServerSocket[] sockets = new ServerSocket[n];
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        sockets[i] = new ServerSocket(0);
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        if (s != null) {
          s.close();
        }
      }
    }
  }

  static Path repositoryRoot() {
    String configured = System.getProperty("screenmesh.root");
    if (configured != null) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("services"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root (a folder with services/) above "
        + Path.of("").toAbsolutePath() + "; set -Dscreenmesh.root");
  }

  /** The last lines of a log, for failure messages. */
  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the mesh", e);
    }
  }
}
