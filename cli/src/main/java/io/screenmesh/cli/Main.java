package io.screenmesh.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The client behind {@code ./screenmesh}: {@code wait-ready}, {@code demo}, {@code screen}
 * and {@code eval}. Exit codes: 0 success, 1 a failed call or check, 2 bad usage.
 */
public final class Main {

  private static final Set<String> SWITCHES = Set.of("json", "insecure");

  private Main() {}

  public static void main(String[] argv) {
    int rc;
    try {
      rc = run(argv, System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("screenmesh: " + e.getMessage());
      System.err.println(usage());
      rc = 2;
    } catch (StatusRuntimeException e) {
      System.err.println("screenmesh: call failed: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      rc = 1;
    } catch (IOException e) {
      System.err.println("screenmesh: " + e.getMessage());
      rc = 1;
    }
    System.exit(rc);
  }

  static String usage() {
    return """
        usage: screenmesh-cli <command> [flags]
          wait-ready --targets host:port[,host:port...] [--timeout-seconds 90]
          demo [--samples DIR]
          screen [--text T]... [--image FILE]... [--audio FILE]... [--policy NAME] [--json]
          eval --text-jsonl FILE [--json] [--concurrency 32] [--fpr 0.01] [--scores FILE]
          batch --in FILE --out FILE [--shard I --shards N] [--concurrency 32] [--policy NAME] [--token-file F]
          audit verify FILE-or-DIR...
        connection flags (default: read from --mesh FILE, default .screenmesh/run/mesh.env):
          --addr host:port  --ca FILE  --cert FILE  --key FILE  --token T  --deadline-ms 10000""";
  }

  static int run(String[] argv, PrintStream out) throws IOException {
    if (List.of(argv).contains("--help") || List.of(argv).contains("-h")) {
      out.println(usage());
      return 0;
    }
    if (argv.length == 0) {
      throw new IllegalArgumentException("no command");
    }
    if (argv[0].equals("audit")) {
      // Reads files only: no mesh, no connection flags.
      return Audit.run(List.of(argv).subList(1, argv.length), out);
    }
    Args a = new Args(argv, 1, SWITCHES);
    Map<String, String> env = MeshConnection.readEnvFile(Path.of(a.get("mesh",
        System.getenv().getOrDefault("SCREENMESH_MESH_ENV", ".screenmesh/run/mesh.env"))));
    String ca = a.get("ca", env.get("CA"));
    String cert = a.get("cert", env.get("CLIENT_CERT"));
    String key = a.get("key", env.get("CLIENT_KEY"));
    long deadlineMs = Long.parseLong(a.get("deadline-ms", "10000"));
    switch (argv[0]) {
      case "batch" -> { return Batch.run(a, env, out); }
      case "wait-ready" -> {
        return waitReady(a.get("targets", ""), ca, cert, key, Long.parseLong(a.get("timeout-seconds", "90")), out);
      }
      case "demo", "screen", "eval" -> {
        String addr = a.get("addr", env.get("FRONT_DOOR"));
        if (addr == null) {
          throw new IllegalArgumentException("no front door address: start the mesh with ./screenmesh up, or pass --addr");
        }
        try (MeshConnection conn = MeshConnection.open(addr, ca, cert, key, a.get("token", env.get("TOKEN")))) {
          FusionCheckerServiceGrpc.FusionCheckerServiceBlockingStub stub =
              FusionCheckerServiceGrpc.newBlockingStub(conn.channel());
          return switch (argv[0]) {
            case "demo" -> Demo.run(stub, Path.of(a.get("samples", "samples")), deadlineMs, out);
            case "screen" -> screen(stub, a, deadlineMs, out);
            default -> Eval.run(FusionCheckerServiceGrpc.newStub(conn.channel()),
                Path.of(required(a, "text-jsonl")), a.has("json"),
                Integer.parseInt(a.get("concurrency", "32")), a.get("policy", ""),
                Double.parseDouble(a.get("fpr", "0.01")), a.has("scores") ? Path.of(a.get("scores", null)) : null, out);
          };
        }
      }
      default -> throw new IllegalArgumentException("unknown command '" + argv[0] + "'");
    }
  }

  private static String required(Args a, String name) {
    String v = a.get(name, null);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  /** Polls the standard gRPC health service of every target until all say SERVING. */
  static int waitReady(String targets, String ca, String cert, String key, long timeoutSeconds, PrintStream out) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    for (String t : targets.split(",")) {
      if (t.isBlank()) {
        continue;
      }
      boolean ok = false;
      String last = "no answer";
      try (MeshConnection c = MeshConnection.open(t.strip(), ca, cert, key, null)) {
        ManagedChannel ch = c.raw();
        while (System.nanoTime() < end) {
          try {
            HealthCheckResponse r = HealthGrpc.newBlockingStub(ch).withDeadlineAfter(2, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
            if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
              ok = true;
              break;
            }
            last = r.getStatus().name();
          } catch (StatusRuntimeException e) {
            last = e.getStatus().getCode() + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription());
          }
          try {
            Thread.sleep(250);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
          }
        }
      }
      if (!ok) {
        System.err.println("screenmesh: " + t + " not ready after " + timeoutSeconds + " s (last: " + last + ")");
        return 1;
      }
    }
    return 0;
  }

  private static int screen(FusionCheckerServiceGrpc.FusionCheckerServiceBlockingStub stub, Args a, long deadlineMs,
      PrintStream out) throws IOException {
    ScreenItemRequest.Builder req = ScreenItemRequest.newBuilder().setId("cli").setPolicy(a.get("policy", ""));
    int n = 0;
    for (String t : a.all("text")) {
      req.addParts(Part.newBuilder().setId("text" + n++).setText(t));
    }
    for (String f : a.all("image")) {
      req.addParts(Part.newBuilder().setId(Path.of(f).getFileName().toString())
          .setImage(ByteString.copyFrom(Files.readAllBytes(Path.of(f)))));
    }
    for (String f : a.all("audio")) {
      req.addParts(Part.newBuilder().setId(Path.of(f).getFileName().toString())
          .setAudio(ByteString.copyFrom(Files.readAllBytes(Path.of(f)))));
    }
    if (req.getPartsCount() == 0) {
      throw new IllegalArgumentException("screen needs at least one --text, --image or --audio");
    }
    ScreenItemResponse r = stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).screenItem(req.build());
    if (a.has("json")) {
      out.println(JsonFormat.printer().omittingInsignificantWhitespace().print(stripBinary(r)));
    } else {
      Table.printItems(List.of(new Table.Row("cli", describe(req.build()), r, -1)), out);
      Table.printFindings(r, out);
    }
    return 0;
  }

  /** Drops sanitized image and audio bytes, which make JSON output unreadable. */
  static ScreenItemResponse stripBinary(ScreenItemResponse r) {
    ScreenItemResponse.Builder b = r.toBuilder();
    for (int i = 0; i < b.getPartsCount(); i++) {
      var p = b.getPartsBuilder(i);
      if (p.hasImagePng() || p.hasAudioWav()) {
        p.clearSanitized();
      }
    }
    return b.build();
  }

  static String describe(ScreenItemRequest req) {
    List<String> kinds = new ArrayList<>();
    for (Part p : req.getPartsList()) {
      kinds.add(switch (p.getContentCase()) {
        case TEXT -> "text";
        case IMAGE -> "image";
        case AUDIO -> "audio";
        default -> "?";
      });
    }
    return String.join("+", kinds);
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
