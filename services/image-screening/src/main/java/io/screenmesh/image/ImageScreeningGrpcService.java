package io.screenmesh.image;

import io.grpc.Context;
import io.grpc.Deadline;
import io.quarkus.grpc.GrpcService;
import io.screenmesh.image.v1.ImageScreeningService;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.image.v1.ScreenImageStreamRequest;
import io.screenmesh.image.v1.ScreenImageStreamResponse;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.Offload;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The gRPC face of {@link ImageScreener}: decoding and screening run on worker threads; the
 * caller's deadline, read on the calling thread, bounds the calls to text-screening.
 */
@GrpcService
public class ImageScreeningGrpcService implements ImageScreeningService {

  private final ImageScreener screener;

  /** Creates the service. */
  public ImageScreeningGrpcService(ImageScreener screener) {
    this.screener = screener;
  }

  @Override
  public Uni<ScreenImageResponse> screenImage(ScreenImageRequest request) {
    Deadline deadline = Context.current().getDeadline();
    return Offload.unary(() -> screener.screen(request, deadline));
  }

  @Override
  public Multi<ScreenImageStreamResponse> screenImageStream(Multi<ScreenImageStreamRequest> requests) {
    Deadline deadline = Context.current().getDeadline();
    return Offload.inOrder(requests,
        r -> ScreenImageStreamResponse.newBuilder()
            .setId(r.getRequest().getId())
            .setResponse(screener.screen(r.getRequest(), deadline))
            .build(),
        (r, t) -> ScreenImageStreamResponse.newBuilder()
            .setId(r.getRequest().getId())
            .setError(GrpcErrors.toItemError(t))
            .build());
  }
}
