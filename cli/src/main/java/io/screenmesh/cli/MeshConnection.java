package io.screenmesh.cli;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.screenmesh.contract.ServiceConfigs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where the mesh's front door is and how to reach it: address, TLS material and the bearer
 * token. Read from the {@code mesh.env} file that {@code ./screenmesh up} writes
 * (KEY=VALUE lines), overridable by command-line flags.
 */
final class MeshConnection implements AutoCloseable {

  /** The metadata key the front door reads the token from. */
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final ManagedChannel channel;
  private final io.grpc.Channel authorized;

  private MeshConnection(ManagedChannel channel, String token) {
    this.channel = channel;
    if (token == null || token.isEmpty()) {
      this.authorized = channel;
    } else {
      Metadata md = new Metadata();
      md.put(AUTHORIZATION, "Bearer " + token);
      ClientInterceptor i = MetadataUtils.newAttachHeadersInterceptor(md);
      this.authorized = ClientInterceptors.intercept(channel, i);
    }
  }

  /** Reads KEY=VALUE lines; blank lines and # comments are skipped. */
  static Map<String, String> readEnvFile(Path file) {
    Map<String, String> env = new LinkedHashMap<>();
    if (file == null || !Files.isRegularFile(file)) {
      return env;
    }
    try {
      for (String line : Files.readAllLines(file)) {
        String l = line.strip();
        int eq = l.indexOf('=');
        if (l.isEmpty() || l.startsWith("#") || eq <= 0) {
          continue;
        }
        env.put(l.substring(0, eq).strip(), l.substring(eq + 1).strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return env;
  }

  /**
   * Opens a channel to {@code address} ("host:port"). With a CA file the channel uses TLS and
   * trusts that CA; with a certificate and key it also presents them (mutual TLS).
   */
  static MeshConnection open(String address, String caFile, String certFile, String keyFile, String token) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("address must be host:port, got '" + address + "'");
    }
    String host = address.substring(0, colon);
    int port = Integer.parseInt(address.substring(colon + 1));
    ChannelCredentials creds;
    if (caFile == null || caFile.isEmpty()) {
      creds = InsecureChannelCredentials.create();
    } else {
      try {
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder().trustManager(Path.of(caFile).toFile());
        if (certFile != null && !certFile.isEmpty()) {
          b.keyManager(Path.of(certFile).toFile(), Path.of(keyFile).toFile());
        }
        creds = b.build();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read TLS material " + caFile, e);
      }
    }
    // The contract's timeouts and retries (UNAVAILABLE only): a mesh that is restarting
    // costs a retry, not a failed item.
    ManagedChannel ch = ServiceConfigs.apply(Grpc.newChannelBuilderForAddress(host, port, creds))
        .maxInboundMessageSize(64 * 1024 * 1024)
        .build();
    return new MeshConnection(ch, token);
  }

  /** The channel, with the bearer token attached to every call. */
  io.grpc.Channel channel() {
    return authorized;
  }

  /** The raw channel (no token), for health checks. */
  ManagedChannel raw() {
    return channel;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
