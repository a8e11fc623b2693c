package io.screenmesh.examples.plainclient;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.screenmesh.contract.ServiceConfigs;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import java.io.File;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Screens one text through the front door with the generated grpc-java stub: what a service
 * outside the mesh needs is {@code io.screenmesh:screenmesh-proto} and a transport.
 *
 * <pre>
 * java -cp 'screenmesh-example-plain-client.jar:lib/*' io.screenmesh.examples.plainclient.PlainClient \
 *     --addr host:port [--ca ca.crt [--cert client.crt --key client.key]] [--token T] TEXT
 * </pre>
 *
 * <p>Prints {@code verdict=<DECISION>} and one {@code part=<id> outcome=<OUTCOME>} line per
 * part and exits 0; a failed call prints its status and exits 2; bad arguments exit 64.
 */
public final class PlainClient {

  private PlainClient() {}

  /**
   * Runs the client.
   *
   * @param args see the class comment
   * @throws IOException if the TLS files cannot be read
   * @throws InterruptedException if interrupted while closing the channel
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    Map<String, String> flags = new HashMap<>();
    String text = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--") && i + 1 < args.length) {
        flags.put(args[i].substring(2), args[++i]);
      } else {
        text = args[i];
      }
    }
    String addr = flags.get("addr");
    int colon = addr == null ? -1 : addr.lastIndexOf(':');
    if (colon <= 0 || text == null) {
      System.err.println("usage: PlainClient --addr host:port [--ca FILE [--cert FILE --key FILE]] [--token T] TEXT");
      System.exit(64);
    }
    ChannelCredentials creds = InsecureChannelCredentials.create();
    if (flags.containsKey("ca")) {
      TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder().trustManager(new File(flags.get("ca")));
      if (flags.containsKey("cert")) {
        tls.keyManager(new File(flags.get("cert")), new File(flags.get("key")));
      }
      creds = tls.build();
    }
    // The contract's timeouts and retries (UNAVAILABLE only) come with screenmesh-proto.
    ManagedChannel channel = ServiceConfigs.apply(
        Grpc.newChannelBuilderForAddress(addr.substring(0, colon), Integer.parseInt(addr.substring(colon + 1)), creds))
        .build();
    try {
      var stub = FusionCheckerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
      if (flags.containsKey("token")) {
        Metadata auth = new Metadata();
        auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + flags.get("token"));
        stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
      }
      ScreenItemResponse r = stub.screenItem(ScreenItemRequest.newBuilder().setId("plain-client")
          .addParts(Part.newBuilder().setId("text").setText(text)).build());
      System.out.println("verdict=" + r.getVerdict().getDecision());
      r.getPartsList().forEach(p -> System.out.println("part=" + p.getPartId() + " outcome=" + p.getOutcome()));
    } catch (StatusRuntimeException e) {
      System.out.println("status=" + e.getStatus().getCode() + " " + e.getStatus().getDescription());
      System.exit(2);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
