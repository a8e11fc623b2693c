package io.screenmesh.fusion;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.screenmesh.audio.v1.AudioScreeningServiceGrpc;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.audio.v1.ScreenAudioResponse;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.ItemError;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.fusion.v1.ModalityOutcome;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.PartResult;
import io.screenmesh.image.v1.ImageScreeningServiceGrpc;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.ScreeningException;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import io.screenmesh.text.v1.TextOrigin;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Sends each part of an item to its modality service and turns the answer, or the lack
 * of one, into a {@link PartResult}. The returned {@link Uni}s never fail: a refusal that
 * names its reason (INVALID_ARGUMENT, RESOURCE_EXHAUSTED with a screenmesh ErrorInfo) becomes
 * outcome REJECTED, anything else (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, a dropped
 * connection, a transport status without an ErrorInfo, a full queue) outcome UNAVAILABLE,
 * both with the peer's status in {@code PartResult.error}; the policy decides what they mean.
 *
 * <p>Every call has a deadline: the modality's budget, shortened to the caller's deadline
 * less the fusion margin when that comes first. Cancelling the {@code Uni} (the caller
 * went away, the stream was cancelled) cancels the outbound call, so the modality service
 * stops working for nobody.
 *
 * <p>Findings are copied with the part's id and modality, so that every finding of a fused
 * item says where it came from.
 *
 * <p>Outbound calls are counted: {@link #callsStarted()} and {@link #callsEnded()} (the
 * transport's last word on a call: its answer, its failure or the confirmation of its
 * cancellation) are equal whenever no part is in flight, so a call that cancellation or a
 * deadline left open on a connection shows as a difference that does not return to zero.
 */
public final class ModalityFanOut {

  private static final Logger LOG = Logger.getLogger(ModalityFanOut.class);
  /** The reason a modality service gives when its queue is full. */
  static final String SERVER_BUSY = "SERVER_BUSY";

  private final TextScreeningServiceGrpc.TextScreeningServiceStub text;
  private final ImageScreeningServiceGrpc.ImageScreeningServiceStub image;
  private final AudioScreeningServiceGrpc.AudioScreeningServiceStub audio;
  private final FusionSettings settings;
  private final LongAdder started = new LongAdder();
  private final LongAdder ended = new LongAdder();

  /**
   * Creates a fan-out over the three modality services.
   *
   * @param text channel to text-screening
   * @param image channel to image-screening
   * @param audio channel to audio-screening
   * @param settings budgets and the deadline margin
   */
  public ModalityFanOut(Channel text, Channel image, Channel audio, FusionSettings settings) {
    this.text = TextScreeningServiceGrpc.newStub(text);
    this.image = ImageScreeningServiceGrpc.newStub(image);
    this.audio = AudioScreeningServiceGrpc.newStub(audio);
    this.settings = settings;
  }

  /** Outbound calls to the modality services started since start. */
  public long callsStarted() {
    return started.sum();
  }

  /** Outbound calls whose end the transport has reported (answered, failed or cancelled). */
  public long callsEnded() {
    return ended.sum();
  }

  /**
   * Screens one part.
   *
   * <p>The part's deadline is taken when the part is sent (on subscription), not when the
   * item arrived, so that an item that waited for a stream's capacity still gets its whole
   * budget. A part over its service's size limit ({@link ItemValidator#oversize}) is
   * answered REJECTED without a call. UNAVAILABLE is retried by the channel's retry policy; a
   * call that the transport failed in another way (see {@link #transportFailure}) is sent
   * once more within the same deadline, on a fresh connection when the old one was closed
   * under it.
   *
   * @param part the part, its id already set
   * @param callerDeadline the caller's deadline, or null when it set none
   * @param omitSanitized true to ask the service to leave out the sanitized copy
   * @return the part's result; never a failure
   */
  public Uni<PartResult> screen(Part part, Deadline callerDeadline, boolean omitSanitized) {
    return screen(part, callerDeadline, omitSanitized, null);
  }

  /**
   * Screens one part and, for a text part, hands its sentence embedding to {@code embeddings}
   * (when text-screening returns one).
   *
   * @param embeddings receives the text's L2-normalized embedding; null to not ask for it
   * @see #screen(Part, Deadline, boolean)
   */
  public Uni<PartResult> screen(Part part, Deadline callerDeadline, boolean omitSanitized, Consumer<float[]> embeddings) {
    Modality modality = modalityOf(part);
    ScreeningException tooLarge = ItemValidator.oversize(part, settings.limits());
    if (tooLarge != null) {
      return Uni.createFrom().item(() -> failed(part, modality, tooLarge));
    }
    return Uni.createFrom().deferred(() -> {
      Deadline deadline = deadlineFor(modality, callerDeadline);
      return send(part, deadline, omitSanitized, embeddings)
          .onFailure(ModalityFanOut::transportFailure).retry().atMost(1);
    }).onFailure().recoverWithItem(t -> failed(part, modality, t));
  }

  private Uni<PartResult> send(Part part, Deadline deadline, boolean omitSanitized, Consumer<float[]> embeddings) {
    return switch (part.getContentCase()) {
      case TEXT -> this.<ScreenTextRequest, ScreenTextResponse>call((q, o) -> text.withDeadline(deadline).screenText(q, o),
          ScreenTextRequest.newBuilder().setId(part.getId()).setText(part.getText())
              .setOrigin(TextOrigin.TEXT_ORIGIN_PROMPT).setOmitSanitized(omitSanitized)
              .setWantEmbedding(embeddings != null).build())
          .invoke(r -> {
            if (embeddings != null && r.getEmbeddingCount() > 0) {
              float[] v = new float[r.getEmbeddingCount()];
              for (int i = 0; i < v.length; i++) {
                v[i] = r.getEmbedding(i);
              }
              embeddings.accept(v);
            }
          })
          .map(r -> fromText(part, r, omitSanitized));
      case IMAGE -> this.<ScreenImageRequest, ScreenImageResponse>call((q, o) -> image.withDeadline(deadline).screenImage(q, o),
          ScreenImageRequest.newBuilder().setId(part.getId()).setData(part.getImage())
              .setOmitSanitized(omitSanitized).build())
          .map(r -> fromImage(part, r, omitSanitized));
      case AUDIO -> this.<ScreenAudioRequest, ScreenAudioResponse>call((q, o) -> audio.withDeadline(deadline).screenAudio(q, o),
          ScreenAudioRequest.newBuilder().setId(part.getId()).setData(part.getAudio())
              .setOmitSanitized(omitSanitized).build())
          .map(r -> fromAudio(part, r, omitSanitized));
      case CONTENT_NOT_SET -> Uni.createFrom().failure(new IllegalArgumentException("part has no content"));
    };
  }

  /**
   * True for a failure that the transport made, not the service, and that the channel's retry
   * policy does not already cover: RESOURCE_EXHAUSTED or INTERNAL without our ErrorInfo (our
   * services put one on every status they send). A GOAWAY closes a connection under the calls
   * in flight, and grpc-java reports ENHANCE_YOUR_CALM as RESOURCE_EXHAUSTED "Bandwidth
   * exhausted" and PROTOCOL_ERROR as INTERNAL, and a write on a connection that closed under
   * the call as UNKNOWN "channel closed"; none says anything about the part, and screening a
   * part twice is harmless. UNAVAILABLE (a refused or dropped connection) is not
   * here: the service config's retry policy (screenmesh/service-config.json, UNAVAILABLE only,
   * 3 attempts) retries it on the channel, and retrying here too would multiply the attempts.
   */
  static boolean transportFailure(Throwable t) {
    Status.Code code = Status.fromThrowable(t).getCode();
    return (code == Status.Code.RESOURCE_EXHAUSTED || code == Status.Code.INTERNAL || code == Status.Code.UNKNOWN)
        && ourReason(t) == null;
  }

  /**
   * The ErrorInfo reason of a failure that a screenmesh service (or this service) raised, or
   * null: statuses from the transport or a foreign server carry no ErrorInfo of our domain.
   */
  static String ourReason(Throwable t) {
    if (t instanceof ScreeningException se) {
      return se.reason();
    }
    // GrpcErrors.reasonOf reads any ErrorInfo; a transport or foreign status must not pass as ours.
    com.google.rpc.Status s = StatusProto.fromThrowable(t);
    return s == null ? null : s.getDetailsList().stream()
        .filter(a -> a.is(ErrorInfo.class))
        .map(ModalityFanOut::errorInfo)
        .filter(info -> info != null && GrpcErrors.DOMAIN.equals(info.getDomain()))
        .map(ErrorInfo::getReason)
        .findFirst().orElse(null);
  }

  private static ErrorInfo errorInfo(Any detail) {
    try {
      return detail.unpack(ErrorInfo.class);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  /**
   * The deadline of a call to {@code modality}: its budget from now, or the caller's
   * deadline less the margin when that is sooner (already expired when the caller has no
   * time left, so the call fails at once with DEADLINE_EXCEEDED).
   */
  Deadline deadlineFor(Modality modality, Deadline callerDeadline) {
    long budget = settings.budget(modality).toNanos();
    if (callerDeadline == null) {
      return Deadline.after(budget, TimeUnit.NANOSECONDS);
    }
    long left = callerDeadline.timeRemaining(TimeUnit.NANOSECONDS) - settings.deadlineMargin().toNanos();
    return Deadline.after(Math.max(0, Math.min(budget, left)), TimeUnit.NANOSECONDS);
  }

  /** The modality of a part's content. */
  public static Modality modalityOf(Part part) {
    return switch (part.getContentCase()) {
      case TEXT -> Modality.MODALITY_TEXT;
      case IMAGE -> Modality.MODALITY_IMAGE;
      case AUDIO -> Modality.MODALITY_AUDIO;
      case CONTENT_NOT_SET -> Modality.MODALITY_UNSPECIFIED;
    };
  }

  /** Adapts one async unary call to a {@link Uni} whose cancellation cancels the call. */
  private <Q, R> Uni<R> call(BiConsumer<Q, StreamObserver<R>> rpc, Q request) {
    return Uni.createFrom().emitter(emitter -> {
      AtomicReference<ClientCallStreamObserver<Q>> callRef = new AtomicReference<>();
      AtomicBoolean done = new AtomicBoolean();
      emitter.onTermination(() -> {
        ClientCallStreamObserver<Q> c = callRef.get();
        // Termination without an answer means the subscriber went away: stop the peer's work.
        if (c != null && !done.get()) {
          c.cancel("the fused screening was cancelled", null);
        }
      });
      started.increment();
      rpc.accept(request, new ClientResponseObserver<Q, R>() {
        private R response;

        @Override
        public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
          callRef.set(requestStream);
        }

        @Override
        public void onNext(R value) {
          response = value;
        }

        @Override
        public void onError(Throwable t) {
          done.set(true);
          ended.increment();
          emitter.fail(t);
        }

        @Override
        public void onCompleted() {
          done.set(true);
          ended.increment();
          if (response == null) {
            emitter.fail(Status.INTERNAL.withDescription("the peer completed without a response").asRuntimeException());
          } else {
            emitter.complete(response);
          }
        }
      });
    });
  }

  private static PartResult fromText(Part part, ScreenTextResponse r, boolean omitSanitized) {
    PartResult.Builder b = screened(part, Modality.MODALITY_TEXT, r.getFindingsList(), r.getProcessing());
    // Unset rather than empty: an empty string in the oneof would read as "sanitized to nothing".
    if (!omitSanitized && !r.getSanitizedOmitted()) {
      b.setText(r.getSanitizedText());
    }
    return b.build();
  }

  private static PartResult fromImage(Part part, ScreenImageResponse r, boolean omitSanitized) {
    PartResult.Builder b = screened(part, Modality.MODALITY_IMAGE, r.getFindingsList(), r.getProcessing());
    if (!omitSanitized && !r.getSanitizedPng().isEmpty()) {
      b.setImagePng(r.getSanitizedPng());
    }
    return b.build();
  }

  private static PartResult fromAudio(Part part, ScreenAudioResponse r, boolean omitSanitized) {
    PartResult.Builder b = screened(part, Modality.MODALITY_AUDIO, r.getFindingsList(), r.getProcessing());
    if (!omitSanitized && !r.getSanitizedWav().isEmpty()) {
      b.setAudioWav(r.getSanitizedWav());
    }
    return b.build();
  }

  private static PartResult.Builder screened(Part part, Modality modality, List<Finding> findings,
      ProcessingInfo processing) {
    PartResult.Builder b = PartResult.newBuilder()
        .setPartId(part.getId())
        .setModality(modality)
        .setOutcome(ModalityOutcome.MODALITY_OUTCOME_SCREENED)
        .setProcessing(processing);
    for (Finding f : findings) {
      b.addFindings(f.toBuilder().setPartId(part.getId()).setModality(modality));
    }
    return b;
  }

  /**
   * REJECTED only for a refusal that names its reason: INVALID_ARGUMENT or RESOURCE_EXHAUSTED
   * with our ErrorInfo, other than SERVER_BUSY (a full queue is the service's state, not the
   * part's fault). A bare one came from the transport (a GOAWAY, a message over a cap) and
   * is UNAVAILABLE, so that no transport event is reported as the caller's malformed input.
   */
  static ModalityOutcome outcomeOf(Throwable t) {
    Status.Code code = t instanceof ScreeningException se ? se.code() : Status.fromThrowable(t).getCode();
    String reason = ourReason(t);
    boolean refusal = code == Status.Code.INVALID_ARGUMENT || code == Status.Code.RESOURCE_EXHAUSTED;
    return refusal && reason != null && !SERVER_BUSY.equals(reason)
        ? ModalityOutcome.MODALITY_OUTCOME_REJECTED
        : ModalityOutcome.MODALITY_OUTCOME_UNAVAILABLE;
  }

  private static PartResult failed(Part part, Modality modality, Throwable t) {
    ModalityOutcome outcome = outcomeOf(t);
    ItemError error = GrpcErrors.toItemError(t);
    LOG.debugf("part %s (%s): %s %s %s", part.getId(), modality, outcome, error.getReason(), error.getMessage());
    return PartResult.newBuilder()
        .setPartId(part.getId())
        .setModality(modality)
        .setOutcome(outcome)
        .setError(error)
        .build();
  }
}
