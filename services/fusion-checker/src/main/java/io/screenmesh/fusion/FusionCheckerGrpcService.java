package io.screenmesh.fusion;

import io.grpc.Context;
import io.quarkus.grpc.GrpcService;
import io.screenmesh.fusion.v1.FusionCheckerService;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import io.screenmesh.fusion.v1.ScreenItemStreamResponse;
import io.screenmesh.services.common.GrpcErrors;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * The front door's gRPC API, {@code screenmesh.fusion.v1.FusionCheckerService}. It reads
 * the caller's deadline and hands the work to {@link ItemScreener}; the work is
 * asynchronous end to end, so it stays on the event loop.
 */
@GrpcService
public class FusionCheckerGrpcService implements FusionCheckerService {

  private final ItemScreener screener;

  /** Creates the service over {@code screener}. */
  @Inject
  public FusionCheckerGrpcService(ItemScreener screener) {
    this.screener = screener;
  }

  @Override
  public Uni<ScreenItemResponse> screenItem(ScreenItemRequest request) {
    // The deadline must be read now, on the call's own context; later callbacks run elsewhere.
    return screener.screen(request, Context.current().getDeadline())
        .onFailure().transform(GrpcErrors::toStatus);
  }

  @Override
  public Multi<ScreenItemStreamResponse> screenItemStream(Multi<ScreenItemStreamRequest> requests) {
    return screener.screenStream(requests, Context.current().getDeadline())
        .onFailure().transform(GrpcErrors::toStatus);
  }
}
