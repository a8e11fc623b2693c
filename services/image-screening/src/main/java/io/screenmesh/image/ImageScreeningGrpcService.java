package io.screenmesh.image;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.screenmesh.image.v1.ImageScreeningServiceGrpc;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.image.v1.ScreenImageStreamRequest;
import io.screenmesh.image.v1.ScreenImageStreamResponse;
import io.screenmesh.services.common.engine.EngineCalls;

/**
 * The gRPC face of {@link ImageEngine}: unary calls and stream items go into the engine's
 * dynamic batcher through {@link EngineCalls}, which answers with the mapped status or item
 * error; the caller's deadline and cancellation travel with each request.
 */
@GrpcService
public class ImageScreeningGrpcService extends ImageScreeningServiceGrpc.ImageScreeningServiceImplBase {

  private final EngineCalls<ScreenImageRequest, ScreenImageResponse> calls;

  /** Creates the service over the engine's adapter. */
  public ImageScreeningGrpcService(EngineCalls<ScreenImageRequest, ScreenImageResponse> calls) {
    this.calls = calls;
  }

  @Override
  public void screenImage(ScreenImageRequest request, StreamObserver<ScreenImageResponse> response) {
    calls.unary(request, response);
  }

  @Override
  public StreamObserver<ScreenImageStreamRequest> screenImageStream(
      StreamObserver<ScreenImageStreamResponse> response) {
    return calls.stream(response, r -> r.hasRequest() ? r.getRequest() : null, r -> r.getRequest().getId(),
        (id, r) -> ScreenImageStreamResponse.newBuilder().setId(id).setResponse(r).build(),
        (id, e) -> ScreenImageStreamResponse.newBuilder().setId(id).setError(e).build());
  }
}
