package io.screenmesh.text;

import io.quarkus.grpc.GrpcService;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.Offload;
import io.screenmesh.services.common.ScreeningException;
import io.screenmesh.text.screen.TextScreener;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import io.screenmesh.text.v1.ScreenTextStreamRequest;
import io.screenmesh.text.v1.ScreenTextStreamResponse;
import io.screenmesh.text.v1.ScreenTextsRequest;
import io.screenmesh.text.v1.ScreenTextsResponse;
import io.screenmesh.text.v1.TextScreeningService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The gRPC face of {@link TextScreener}. Screening is pure CPU work, so each text is screened on
 * {@link Offload#cpu()} (one thread per core), never on the event loop; a call that ended while
 * it waited there is not screened, and a full queue answers RESOURCE_EXHAUSTED / SERVER_BUSY.
 * A unary failure becomes the status that {@link GrpcErrors} maps it to (TEXT_TOO_LARGE →
 * RESOURCE_EXHAUSTED, UNPAIRED_SURROGATE → INVALID_ARGUMENT); on the stream, each request gets
 * exactly one answer, in arrival order, and a request that cannot be screened gets an
 * {@code ItemError} while the stream goes on.
 */
@GrpcService
public class TextScreeningGrpcService implements TextScreeningService {

  private final TextScreener screener;

  /** A service screening with {@code screener}. */
  public TextScreeningGrpcService(TextScreener screener) {
    this.screener = screener;
  }

  @Override
  public Uni<ScreenTextResponse> screenText(ScreenTextRequest request) {
    return Offload.unary(Offload.cpu(), () -> screener.screen(request));
  }

  @Override
  public Multi<ScreenTextStreamResponse> screenTextStream(Multi<ScreenTextStreamRequest> requests) {
    return Offload.inOrder(Offload.cpu(), requests, this::answer, (item, t) -> ScreenTextStreamResponse.newBuilder()
        .setId(item.getRequest().getId())
        .setError(GrpcErrors.toItemError(t))
        .build());
  }

  @Override
  public Uni<ScreenTextsResponse> screenTexts(ScreenTextsRequest request) {
    return Offload.unary(Offload.cpu(), () -> {
      ScreenTextsResponse.Builder out = ScreenTextsResponse.newBuilder();
      for (ScreenTextRequest r : request.getTextsList()) {
        try {
          out.addResults(ScreenTextStreamResponse.newBuilder().setId(r.getId()).setResponse(screener.screen(r)));
        } catch (RuntimeException e) {
          out.addResults(ScreenTextStreamResponse.newBuilder().setId(r.getId()).setError(GrpcErrors.toItemError(e)));
        }
      }
      return out.build();
    });
  }

  private ScreenTextStreamResponse answer(ScreenTextStreamRequest item) {
    if (!item.hasRequest()) {
      throw ScreeningException.invalid("MISSING_REQUEST", "stream item carries no request");
    }
    ScreenTextResponse response = screener.screen(item.getRequest());
    return ScreenTextStreamResponse.newBuilder().setId(response.getId()).setResponse(response).build();
  }
}
