package io.screenmesh.fusion;

import io.grpc.Channel;
import io.grpc.Deadline;
import io.quarkus.grpc.GrpcClient;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.fusion.audit.AuditSink;
import io.screenmesh.fusion.policy.CrossModalRule;
import io.screenmesh.fusion.policy.Policy;
import io.screenmesh.fusion.policy.VerdictFusion;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.PartResult;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import io.screenmesh.fusion.v1.ScreenItemStreamResponse;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.ScreeningException;
import io.screenmesh.services.common.Stages;
import io.screenmesh.services.common.auth.Caller;
import io.screenmesh.services.common.engine.EngineMetrics;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Screens multi-modal items: validates them ({@link ItemValidator}), fans their parts out
 * to the modality services concurrently ({@link ModalityFanOut}) and fuses one verdict
 * ({@link VerdictFusion}) under the requested policy ({@link PolicyRegistry}).
 *
 * <p>Streams: items are screened concurrently, at most {@code stream-concurrency} at a
 * time per stream; further requests are not pulled from the caller until an item
 * finishes, so a fast sender is slowed by gRPC flow control instead of filling memory.
 * Answers are sent as items finish, matched by id. Every request gets exactly one answer:
 * an item that cannot be screened is answered with an {@code ItemError}, and a modality
 * service that dies makes its parts UNAVAILABLE (fail-closed by default) rather than
 * failing the stream. An item without an id is answered with {@code INVALID_ARGUMENT
 * ITEM_ID_MISSING} under the generated id {@code #<n>}, n being its 1-based position on
 * the stream. The answer stream completes after the request stream has completed and every
 * item has been answered; cancelling it cancels the calls in flight.
 */
@Singleton
public class ItemScreener {

  private static final Logger LOG = Logger.getLogger(ItemScreener.class);
  private static final String SERVICE = "fusion-checker";
  private static final List<DetectorRun> DETECTORS = List.of(
      DetectorRun.newBuilder().setDetector(CrossModalRule.DETECTOR).setRan(true).build());

  private final FusionSettings settings;
  private final PolicyRegistry policies;
  private final ModalityFanOut fanOut;
  private final AuditSink audit;

  /** Wires the screener to the configured gRPC clients {@code text}, {@code image} and {@code audio}. */
  @Inject
  public ItemScreener(FusionConfig config, PolicyRegistry policies, AuditSink audit,
      @GrpcClient("text") Channel text, @GrpcClient("image") Channel image, @GrpcClient("audio") Channel audio) {
    this(FusionSettings.from(config), policies, new ModalityFanOut(text, image, audio, FusionSettings.from(config)), audit);
  }

  /**
   * Creates a screener from its parts.
   *
   * @param settings limits and budgets
   * @param policies the policies that may be requested
   * @param fanOut the clients of the modality services
   */
  public ItemScreener(FusionSettings settings, PolicyRegistry policies, ModalityFanOut fanOut) {
    this(settings, policies, fanOut, AuditSink.NONE);
  }

  /**
   * Creates a screener that reports every answered item to {@code audit}.
   *
   * @param settings limits and budgets
   * @param policies the policies that may be requested
   * @param fanOut the clients of the modality services
   * @param audit where each answered item is recorded
   */
  public ItemScreener(FusionSettings settings, PolicyRegistry policies, ModalityFanOut fanOut, AuditSink audit) {
    this.settings = settings;
    this.policies = policies;
    this.fanOut = fanOut;
    this.audit = audit;
  }

  /**
   * Screens one item.
   *
   * @param request the item
   * @param callerDeadline the caller's deadline, or null when it set none
   * @return the fused result; fails with a {@link ScreeningException} for an invalid item
   *     (reasons ITEM_EMPTY, ITEM_TOO_MANY_PARTS, PART_EMPTY, PART_ID_DUPLICATE, ...) or an
   *     unknown policy (POLICY_UNKNOWN); never fails because a modality service did
   */
  public Uni<ScreenItemResponse> screen(ScreenItemRequest request, Deadline callerDeadline) {
    return screen(request, callerDeadline, Caller.current());
  }

  private Uni<ScreenItemResponse> screen(ScreenItemRequest request, Deadline callerDeadline, String principal) {
    return screenUnaudited(request, callerDeadline)
        .invoke(r -> audit.screened(principal, request, r))
        .onFailure().invoke(t -> audit.refused(principal, request, t));
  }

  private Uni<ScreenItemResponse> screenUnaudited(ScreenItemRequest request, Deadline callerDeadline) {
    return Uni.createFrom().deferred(() -> {
      List<Part> parts = ItemValidator.validate(request, settings.maxParts());
      Policy policy = policies.resolve(request.getPolicy());
      long start = System.nanoTime();
      List<Uni<PartResult>> calls = parts.stream()
          .map(p -> fanOut.screen(p, callerDeadline, request.getOmitSanitized())).toList();
      return Uni.join().all(calls).andFailFast()
          .map(results -> fuse(request.getId(), policy, results, System.nanoTime() - start));
    });
  }

  /**
   * Screens a stream of items; see the class comment for ordering, concurrency and errors.
   *
   * @param requests the caller's items
   * @param callerDeadline the deadline of the whole stream, or null
   * @return one answer per request
   */
  public Multi<ScreenItemStreamResponse> screenStream(Multi<ScreenItemStreamRequest> requests, Deadline callerDeadline) {
    AtomicLong seq = new AtomicLong();
    // Read here, on the call's context: the items are answered on other threads.
    String principal = Caller.current();
    return requests
        .onItem().transformToUni(r -> answer(r.getRequest(), seq.incrementAndGet(), callerDeadline, principal))
        .merge(settings.streamConcurrency());
  }

  private Uni<ScreenItemStreamResponse> answer(ScreenItemRequest request, long position, Deadline deadline,
      String principal) {
    if (request.getId().isEmpty()) {
      String id = "#" + position;
      ScreeningException missing = ScreeningException.invalid("ITEM_ID_MISSING",
          "stream item " + position + " has no id; ids are required on streams");
      audit.refused(principal, request, missing);
      return Uni.createFrom().item(ScreenItemStreamResponse.newBuilder().setId(id)
          .setError(GrpcErrors.toItemError(missing))
          .build());
    }
    return screen(request, deadline, principal)
        .map(r -> ScreenItemStreamResponse.newBuilder().setId(request.getId()).setResponse(r).build())
        .onFailure().recoverWithItem(t -> ScreenItemStreamResponse.newBuilder()
            .setId(request.getId()).setError(GrpcErrors.toItemError(t)).build());
  }

  private ScreenItemResponse fuse(String id, Policy policy, List<PartResult> results, long fanOutNanos) {
    Stages stages = new Stages();
    stages.record("fanout", fanOutNanos);
    VerdictFusion.Fused fused = stages.time("fusion", () -> VerdictFusion.fuse(policy, results));
    ScreenItemResponse response = ScreenItemResponse.newBuilder()
        .setId(id)
        .setVerdict(fused.verdict())
        .addAllParts(fused.parts())
        .setPolicy(policy.name())
        .setProcessing(ProcessingInfo.newBuilder()
            .setService(SERVICE)
            .addAllTimings(stages.timings())
            .addAllDetectors(DETECTORS))
        .build();
    EngineMetrics.current().verdict(policy.name(), fused.verdict().getDecision().name(), fused.verdict().getScore());
    if (LOG.isDebugEnabled()) {
      // Ids, outcomes and categories only: never the caller's content.
      LOG.debugf("item %s policy=%s decision=%s score=%.3f parts=[%s] reasons=[%s]",
          abbreviate(id), policy.name(), fused.verdict().getDecision(), fused.verdict().getScore(),
          fused.parts().stream().map(p -> abbreviate(p.getPartId()) + ":" + p.getModality() + ":" + p.getOutcome())
              .collect(Collectors.joining(",")),
          fused.verdict().getReasonsList().stream().map(f -> f.getDetector() + "/" + f.getCategory())
              .collect(Collectors.joining(",")));
    }
    return response;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
