package io.screenmesh.audio;

import io.grpc.Context;
import io.grpc.Deadline;
import io.quarkus.grpc.GrpcService;
import io.screenmesh.audio.v1.AudioScreeningService;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.audio.v1.ScreenAudioResponse;
import io.screenmesh.audio.v1.ScreenAudioStreamRequest;
import io.screenmesh.audio.v1.ScreenAudioStreamResponse;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.Offload;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The gRPC face of {@link AudioScreener}: decoding and detection run on worker threads; the
 * caller's deadline, read on the calling thread, bounds the calls to text-screening.
 */
@GrpcService
public class AudioScreeningGrpcService implements AudioScreeningService {

  private final AudioScreener screener;

  /** Creates the service. */
  public AudioScreeningGrpcService(AudioScreener screener) {
    this.screener = screener;
  }

  @Override
  public Uni<ScreenAudioResponse> screenAudio(ScreenAudioRequest request) {
    Deadline deadline = Context.current().getDeadline();
    return Offload.unary(() -> screener.screen(request, deadline));
  }

  @Override
  public Multi<ScreenAudioStreamResponse> screenAudioStream(Multi<ScreenAudioStreamRequest> requests) {
    Deadline deadline = Context.current().getDeadline();
    return Offload.inOrder(requests,
        r -> ScreenAudioStreamResponse.newBuilder()
            .setId(r.getRequest().getId())
            .setResponse(screener.screen(r.getRequest(), deadline))
            .build(),
        (r, t) -> ScreenAudioStreamResponse.newBuilder()
            .setId(r.getRequest().getId())
            .setError(GrpcErrors.toItemError(t))
            .build());
  }
}
