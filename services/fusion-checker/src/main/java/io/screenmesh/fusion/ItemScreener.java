package io.screenmesh.fusion;

import io.grpc.Channel;
import io.grpc.Deadline;
import io.quarkus.grpc.GrpcClient;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.fusion.audit.AuditSink;
import io.screenmesh.fusion.extraction.ExtractionGuard;
import io.screenmesh.fusion.policy.CrossModalRule;
import io.screenmesh.fusion.policy.Policy;
import io.screenmesh.fusion.policy.VerdictFusion;
import io.screenmesh.fusion.quota.Quotas;
import io.screenmesh.fusion.v1.Part;
import io.screenmesh.fusion.v1.PartResult;
import io.screenmesh.fusion.v1.ScreenItemRequest;
import io.screenmesh.fusion.v1.ScreenItemResponse;
import io.screenmesh.fusion.v1.ScreenItemStreamRequest;
import io.screenmesh.fusion.v1.ScreenItemStreamResponse;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.ScreeningException;
import io.screenmesh.services.common.Stages;
import io.screenmesh.services.common.auth.Principal;
import io.screenmesh.services.common.engine.EngineMetrics;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
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
 * the stream. A stream item over its caller's quota is answered with an {@code ItemError}
 * RESOURCE_EXHAUSTED {@code QUOTA_EXCEEDED} whose message says when to retry. The answer
 * stream completes after the request stream has completed and every item has been answered;
 * cancelling it cancels the calls in flight.
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
  private final Quotas quotas;
  private final ExtractionGuard extraction;
  private final PartAdmission admission;

  /**
   * Wires the screener to the configured gRPC clients {@code text}, {@code image} and
   * {@code audio}; stream items are charged to {@code quotas}.
   */
  @Inject
  public ItemScreener(FusionConfig config, PolicyRegistry policies, AuditSink audit, Quotas quotas,
      ExtractionGuard extraction,
      @GrpcClient("text") Channel text, @GrpcClient("image") Channel image, @GrpcClient("audio") Channel audio) {
    this(FusionSettings.from(config), policies, new ModalityFanOut(text, image, audio, FusionSettings.from(config)), audit,
        quotas, extraction);
  }

  /**
   * Creates a screener from its parts.
   *
   * @param settings limits and budgets
   * @param policies the policies that may be requested
   * @param fanOut the clients of the modality services
   * @param quotas what each stream item is charged to
   */
  public ItemScreener(FusionSettings settings, PolicyRegistry policies, ModalityFanOut fanOut) {
    this(settings, policies, fanOut, AuditSink.NONE);
  }

  /**
   * Creates a screener that reports every answered item to {@code audit}, without quotas.
   *
   * @param settings limits and budgets
   * @param policies the policies that may be requested
   * @param fanOut the clients of the modality services
   * @param audit where each answered item is recorded
   */
  public ItemScreener(FusionSettings settings, PolicyRegistry policies, ModalityFanOut fanOut, AuditSink audit) {
    this(settings, policies, fanOut, audit, Quotas.unlimited());
  }

  /**
   * Creates a screener from its parts.
   *
   * @param settings limits and budgets
   * @param policies the policies that may be requested
   * @param fanOut the clients of the modality services
   * @param audit where each answered item is recorded
   * @param quotas what each stream item is charged to
   */
  public ItemScreener(FusionSettings settings, PolicyRegistry policies, ModalityFanOut fanOut, AuditSink audit,
      Quotas quotas) {
    this(settings, policies, fanOut, audit, quotas, ExtractionGuard.OFF);
  }

  /**
   * Creates a screener from its parts, with model-extraction monitoring.
   *
   * @param settings limits and budgets
   * @param policies the policies that may be requested
   * @param fanOut the clients of the modality services
   * @param audit where each answered item is recorded
   * @param quotas what each stream item is charged to
   * @param extraction judges each principal's text queries
   */
  public ItemScreener(FusionSettings settings, PolicyRegistry policies, ModalityFanOut fanOut, AuditSink audit,
      Quotas quotas, ExtractionGuard extraction) {
    this.settings = settings;
    this.policies = policies;
    this.fanOut = fanOut;
    this.audit = audit;
    this.quotas = quotas;
    this.extraction = extraction;
    this.admission = new PartAdmission(settings, settings.streamPartLimit());
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
    return screen(request, callerDeadline, Principal.current());
  }

  /**
   * Screens one item for {@code caller}, whose scopes decide which policies it may pick, and
   * records it in the audit log under the caller's name.
   *
   * @param request the item
   * @param callerDeadline the caller's deadline, or null when it set none
   * @param caller who sent the item
   * @return as {@link #screen(ScreenItemRequest, Deadline)}; also fails PERMISSION_DENIED
   *     (POLICY_SCOPE_MISSING) for a fail-open policy the caller holds no scope for
   */
  public Uni<ScreenItemResponse> screen(ScreenItemRequest request, Deadline callerDeadline, Principal caller) {
    return screen(request, callerDeadline, caller, true);
  }

  private Uni<ScreenItemResponse> screen(ScreenItemRequest request, Deadline callerDeadline, Principal caller,
      boolean inline) {
    return screenUnaudited(request, callerDeadline, caller, inline)
        .invoke(r -> audit.screened(caller.name(), request, r))
        .onFailure().invoke(t -> audit.refused(caller.name(), request, t));
  }

  // Only inline calls are judged for model extraction: a batch stream is a data pipeline screening
  // its own dataset, whose items may well be near-duplicates, not a caller probing a model. A
  // stream item's parts wait for their modality's admission (PartAdmission); an inline call's go
  // at once.
  private Uni<ScreenItemResponse> screenUnaudited(ScreenItemRequest request, Deadline callerDeadline, Principal caller,
      boolean inline) {
    boolean judgeExtraction = inline && extraction.enabled();
    return Uni.createFrom().deferred(() -> {
      List<Part> parts = ItemValidator.validate(request, settings.maxParts());
      Policy policy = policies.resolve(request.getPolicy(), caller);
      long start = System.nanoTime();
      List<ExtractionGuard.PartEmbedding> texts = Collections.synchronizedList(new ArrayList<>());
      List<Uni<PartResult>> calls = parts.stream()
          .map(p -> {
            Supplier<Uni<PartResult>> call = () -> fanOut.screen(p, callerDeadline, request.getOmitSanitized(),
                judgeExtraction && p.hasText() ? v -> texts.add(new ExtractionGuard.PartEmbedding(p.getId(), v)) : null);
            return inline ? call.get() : admission.admit(ModalityFanOut.modalityOf(p), call);
          })
          .toList();
      return Uni.join().all(calls).andFailFast()
          .map(results -> extraction.judge(caller.name(), List.copyOf(texts),
              fuse(request.getId(), policy, results, System.nanoTime() - start)));
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
    return screenStream(requests, callerDeadline, Principal.current());
  }

  /**
   * Screens a stream of items for {@code caller}; see the class comment.
   *
   * @param requests the caller's items
   * @param callerDeadline the deadline of the whole stream, or null
   * @param caller who opened the stream
   * @return one answer per request
   */
  public Multi<ScreenItemStreamResponse> screenStream(Multi<ScreenItemStreamRequest> requests, Deadline callerDeadline,
      Principal caller) {
    AtomicLong seq = new AtomicLong();
    return requests
        .onItem().transformToUni(r -> answer(r.getRequest(), seq.incrementAndGet(), callerDeadline, caller))
        .merge(settings.streamConcurrency());
  }

  private Uni<ScreenItemStreamResponse> answer(ScreenItemRequest request, long position, Deadline deadline,
      Principal caller) {
    if (request.getId().isEmpty()) {
      String id = "#" + position;
      ScreeningException missing = ScreeningException.invalid("ITEM_ID_MISSING",
          "stream item " + position + " has no id; ids are required on streams");
      audit.refused(caller.name(), request, missing);
      return Uni.createFrom().item(ScreenItemStreamResponse.newBuilder().setId(id)
          .setError(GrpcErrors.toItemError(missing))
          .build());
    }
    var overQuota = quotas.charge(caller, request.getSerializedSize());
    if (overQuota.isPresent()) {
      audit.refused(caller.name(), request, overQuota.get());
      return Uni.createFrom().item(ScreenItemStreamResponse.newBuilder().setId(request.getId())
          .setError(GrpcErrors.toItemError(overQuota.get())).build());
    }
    return screen(request, deadline, caller, false)
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
