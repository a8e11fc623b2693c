package io.screenmesh.image;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.screenmesh.image.v1.ImageScreeningServiceGrpc;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.image.v1.ScreenImageStreamRequest;
import io.screenmesh.image.v1.ScreenImageStreamResponse;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.testing.StreamCalls;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A plain grpc-java client of the service under test, on the port Quarkus picked. */
final class ImageGrpcClient implements AutoCloseable {

  private final ManagedChannel channel;

  ImageGrpcClient(URL url) {
    this.channel = ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext()
        .maxInboundMessageSize(64 << 20).build();
  }

  /** The channel, for other stubs (health). */
  ManagedChannel channel() {
    return channel;
  }

  ScreenImageResponse screen(String id, byte[] data) {
    return ImageScreeningServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .screenImage(ScreenImageRequest.newBuilder().setId(id).setData(ByteString.copyFrom(data)).build());
  }

  /** The ErrorInfo reason of the failure of {@code call}, after checking its status code. */
  static String reasonOf(StatusRuntimeException e) {
    return GrpcErrors.reasonOf(e);
  }

  /** Sends {@code requests} over one stream and collects every answer (bounded wait). */
  List<ScreenImageStreamResponse> stream(List<ScreenImageRequest> requests) throws InterruptedException {
    return streamItems(requests.stream().map(r -> ScreenImageStreamRequest.newBuilder().setRequest(r).build()).toList());
  }

  /** Sends stream items as they are (some may lack a request) and collects every answer. */
  List<ScreenImageStreamResponse> streamItems(List<ScreenImageStreamRequest> items) throws InterruptedException {
    return StreamCalls.collect(
        ImageScreeningServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)::screenImageStream,
        items, Duration.ofSeconds(60));
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }
}
