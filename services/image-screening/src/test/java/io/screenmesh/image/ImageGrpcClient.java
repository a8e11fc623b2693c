package io.screenmesh.image;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.screenmesh.image.v1.ImageScreeningServiceGrpc;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.image.v1.ScreenImageStreamRequest;
import io.screenmesh.image.v1.ScreenImageStreamResponse;
import io.screenmesh.services.common.GrpcErrors;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A plain grpc-java client of the service under test, on the port Quarkus picked. */
final class ImageGrpcClient implements AutoCloseable {

  private final ManagedChannel channel;

  ImageGrpcClient(URL url) {
    this.channel = ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext()
        .maxInboundMessageSize(64 << 20).build();
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
    List<ScreenImageStreamResponse> answers = new ArrayList<>();
    Throwable[] failure = new Throwable[1];
    CountDownLatch done = new CountDownLatch(1);
    StreamObserver<ScreenImageStreamRequest> out = ImageScreeningServiceGrpc.newStub(channel)
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .screenImageStream(new StreamObserver<>() {
          @Override
          public void onNext(ScreenImageStreamResponse r) {
            synchronized (answers) {
              answers.add(r);
            }
          }

          @Override
          public void onError(Throwable t) {
            failure[0] = t;
            done.countDown();
          }

          @Override
          public void onCompleted() {
            done.countDown();
          }
        });
    for (ScreenImageRequest r : requests) {
      out.onNext(ScreenImageStreamRequest.newBuilder().setRequest(r).build());
    }
    out.onCompleted();
    if (!done.await(60, TimeUnit.SECONDS)) {
      throw new AssertionError("the stream did not complete within 60 s; answers so far: " + answers.size());
    }
    if (failure[0] != null) {
      throw new AssertionError("the stream failed", failure[0]);
    }
    synchronized (answers) {
      return List.copyOf(answers);
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }
}
