package io.screenmesh.fusion;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.screenmesh.fusion.quota.Quotas;
import io.screenmesh.fusion.v1.FusionCheckerServiceGrpc;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import io.screenmesh.fusion.v1.ScreenItemStreamResponse;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.auth.Principal;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The front door's gRPC API, {@code screenmesh.fusion.v1.FusionCheckerService}. It reads
 * the caller's deadline, hands the work to {@link ItemScreener} and maps failures to
 * statuses through {@link GrpcErrors}. The work is asynchronous end to end, so it stays on
 * the event loop.
 *
 * <p>Written against the grpc-java base class rather than the Mutiny interface because the
 * stream needs the transport's flow control ({@link GrpcFlowControl}): the Mutiny interface
 * reads a stream's requests into an unbounded buffer.
 */
@GrpcService
public class FusionCheckerGrpcService extends FusionCheckerServiceGrpc.FusionCheckerServiceImplBase {

  private final ItemScreener screener;
  private final Quotas quotas;

  /** Creates the service over {@code screener}, charging unary items to {@code quotas}. */
  @Inject
  public FusionCheckerGrpcService(ItemScreener screener, Quotas quotas) {
    this.screener = screener;
    this.quotas = quotas;
  }

  @Override
  public void screenItem(ScreenItemRequest request, StreamObserver<ScreenItemResponse> response) {
    ServerCallStreamObserver<ScreenItemResponse> call = (ServerCallStreamObserver<ScreenItemResponse>) response;
    Principal caller = Principal.current();
    // Answered here, not through GrpcErrors, so that the refusal keeps its RetryInfo.
    var overQuota = quotas.charge(caller, request.getSerializedSize());
    if (overQuota.isPresent()) {
      call.onError(overQuota.get());
      return;
    }
    AtomicReference<Cancellable> work = new AtomicReference<>();
    call.setOnCancelHandler(() -> {
      Cancellable c = work.get();
      if (c != null) {
        c.cancel();
      }
    });
    // The deadline and the caller must be read now, on the call's own context; later callbacks run elsewhere.
    Deadline deadline = Context.current().getDeadline();
    work.set(screener.screen(request, deadline, caller).subscribe().with(
        r -> {
          call.onNext(r);
          call.onCompleted();
        },
        t -> call.onError(GrpcErrors.toStatus(t))));
  }

  @Override
  public StreamObserver<ScreenItemStreamRequest> screenItemStream(StreamObserver<ScreenItemStreamResponse> response) {
    ServerCallStreamObserver<ScreenItemStreamResponse> call = (ServerCallStreamObserver<ScreenItemStreamResponse>) response;
    call.disableAutoRequest();
    GrpcFlowControl.Inbound<ScreenItemStreamRequest> requests = new GrpcFlowControl.Inbound<>(call);
    GrpcFlowControl.Outbound<ScreenItemStreamResponse> answers = new GrpcFlowControl.Outbound<>(call);
    screener.screenStream(Multi.createFrom().publisher(requests), Context.current().getDeadline(), Principal.current())
        .subscribe().withSubscriber(answers);
    return requests;
  }
}
