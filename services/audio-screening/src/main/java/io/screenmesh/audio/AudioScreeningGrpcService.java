package io.screenmesh.audio;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.screenmesh.audio.v1.AudioScreeningServiceGrpc;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.audio.v1.ScreenAudioResponse;
import io.screenmesh.audio.v1.ScreenAudioStreamRequest;
import io.screenmesh.audio.v1.ScreenAudioStreamResponse;
import io.screenmesh.services.common.engine.EngineCalls;

/**
 * The gRPC face of the {@link AudioEngine}: unary calls and streams go into the engine's batcher
 * through {@link EngineCalls}, which maps failures to statuses and item errors.
 */
@GrpcService
public class AudioScreeningGrpcService extends AudioScreeningServiceGrpc.AudioScreeningServiceImplBase {

  private final EngineCalls<ScreenAudioRequest, ScreenAudioResponse> calls;

  /** Creates the service over the engine's adapter. */
  public AudioScreeningGrpcService(EngineCalls<ScreenAudioRequest, ScreenAudioResponse> calls) {
    this.calls = calls;
  }

  @Override
  public void screenAudio(ScreenAudioRequest request, StreamObserver<ScreenAudioResponse> response) {
    calls.unary(request, response);
  }

  @Override
  public StreamObserver<ScreenAudioStreamRequest> screenAudioStream(StreamObserver<ScreenAudioStreamResponse> response) {
    return calls.stream(response, r -> r.hasRequest() ? r.getRequest() : null, r -> r.getRequest().getId(),
        (id, r) -> ScreenAudioStreamResponse.newBuilder().setId(id).setResponse(r).build(),
        (id, e) -> ScreenAudioStreamResponse.newBuilder().setId(id).setError(e).build());
  }
}
