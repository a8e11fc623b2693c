package io.screenmesh.services.common;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.screenmesh.common.v1.Evidence;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import io.screenmesh.common.v1.TextSpan;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import io.screenmesh.text.v1.ScreenTextsRequest;
import io.screenmesh.text.v1.ScreenTextsResponse;
import io.screenmesh.text.v1.TextOrigin;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Screens text that a modality service derived from its input (metadata, OCR, transcripts) by
 * calling text-screening once per input ({@code ScreenTexts}, all the input's texts in one
 * call), asynchronously, and maps the answers onto the modality's findings.
 *
 * <p>Every text finding keeps its detector and category, takes the modality of the input, and
 * gets its text span's source prefixed with where the text came from (for example
 * {@code metadata:png:tEXt:Comment}). Each text with findings adds one
 * {@link io.screenmesh.common.v1.Category#CATEGORY_HIDDEN_TEXT} finding by the caller's
 * detector, as severe as the worst text finding: the text itself was screened, and it was
 * hidden from a human looking at the input.
 *
 * <p>When text-screening cannot answer, the whole screening fails with UNAVAILABLE
 * ({@value #UNAVAILABLE_REASON}) or DEADLINE_EXCEEDED ({@value #DEADLINE_REASON}); whether
 * that blocks or passes the input is the front door's policy, not this service's.
 */
public final class DerivedTextScreener {

  /** The reason when text-screening is down or failed. */
  public static final String UNAVAILABLE_REASON = "TEXT_SCREENING_UNAVAILABLE";
  /** The reason when text-screening did not answer within the deadline. */
  public static final String DEADLINE_REASON = "TEXT_SCREENING_DEADLINE_EXCEEDED";

  private static final int EXCERPT_CHARS = 120;

  /** A text and where it came from, such as {@code png:tEXt:Comment}. */
  public record SourcedText(String source, String text) {}

  private final TextScreeningServiceGrpc.TextScreeningServiceFutureStub stub;
  private final Duration timeout;

  /**
   * Creates a screener.
   *
   * @param channel the channel to text-screening; must outlive this screener
   * @param timeout the longest a call may take when the caller's deadline is later or absent
   */
  public DerivedTextScreener(Channel channel, Duration timeout) {
    this.stub = TextScreeningServiceGrpc.newFutureStub(channel);
    this.timeout = timeout;
  }

  /**
   * Screens {@code texts} in one {@code ScreenTexts} call and returns the mapped findings
   * (empty when nothing was found). Never blocks.
   *
   * @param texts the texts; an empty list makes no call
   * @param origin where the texts came from, for text-screening's detectors
   * @param modality the modality of the input the texts were derived from
   * @param detector the id of the calling detector, such as {@code image.metadata-text}
   * @param sourcePrefix prefixed to each text's source in the findings, such as {@code metadata:}
   * @param callerDeadline the deadline of the call being served, or null when it has none
   * @return the findings; fails with a {@link ScreeningException} UNAVAILABLE
   *     ({@value #UNAVAILABLE_REASON}) or DEADLINE_EXCEEDED ({@value #DEADLINE_REASON}) when
   *     text-screening cannot answer or refuses a text; cancelling it cancels the call
   */
  public CompletableFuture<List<Finding>> screenAsync(List<SourcedText> texts, TextOrigin origin,
      Modality modality, String detector, String sourcePrefix, Deadline callerDeadline) {
    if (texts.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    Deadline deadline = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (callerDeadline != null) {
      deadline = deadline.minimum(callerDeadline);
    }
    if (deadline.isExpired()) {
      return CompletableFuture.failedFuture(new ScreeningException(Status.Code.DEADLINE_EXCEEDED, DEADLINE_REASON,
          "no time left to screen the derived text"));
    }
    ScreenTextsRequest.Builder request = ScreenTextsRequest.newBuilder();
    for (int i = 0; i < texts.size(); i++) {
      request.addTexts(ScreenTextRequest.newBuilder()
          .setId(Integer.toString(i))
          .setText(texts.get(i).text())
          .setOrigin(origin));
    }
    ListenableFuture<ScreenTextsResponse> call = stub.withDeadline(deadline).screenTexts(request.build());
    CompletableFuture<List<Finding>> out = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        call.cancel(true);
        return super.cancel(mayInterruptIfRunning);
      }
    };
    Futures.addCallback(call, new FutureCallback<>() {
      @Override
      public void onSuccess(ScreenTextsResponse r) {
        try {
          out.complete(mapAll(texts, r, modality, detector, sourcePrefix));
        } catch (ScreeningException e) {
          out.completeExceptionally(e);
        }
      }

      @Override
      public void onFailure(Throwable t) {
        out.completeExceptionally(peerFailure(t));
      }
    }, MoreExecutors.directExecutor());
    return out;
  }

  private static List<Finding> mapAll(List<SourcedText> texts, ScreenTextsResponse r, Modality modality,
      String detector, String sourcePrefix) {
    if (r.getResultsCount() != texts.size()) {
      throw ScreeningException.unavailable(UNAVAILABLE_REASON, "text screening answered "
          + r.getResultsCount() + " of " + texts.size() + " derived texts");
    }
    List<Finding> out = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      var result = r.getResults(i);
      if (result.hasError()) {
        // A derived text that text-screening refuses (too long, invalid) went unscreened.
        throw ScreeningException.unavailable(UNAVAILABLE_REASON, "text screening could not screen the derived text "
            + texts.get(i).source() + " (" + result.getError().getReason() + ")");
      }
      map(texts.get(i), result.getResponse(), modality, detector, sourcePrefix, out);
    }
    return out;
  }

  private static void map(SourcedText in, ScreenTextResponse r, Modality modality, String detector,
      String sourcePrefix, List<Finding> out) {
    if (r.getFindingsCount() == 0) {
      return;
    }
    String source = sourcePrefix + in.source();
    float score = 0f;
    Severity severity = Severity.SEVERITY_UNSPECIFIED;
    for (Finding f : r.getFindingsList()) {
      Finding.Builder b = f.toBuilder().setModality(modality);
      if (f.hasEvidence() && f.getEvidence().hasTextSpan()) {
        TextSpan span = f.getEvidence().getTextSpan();
        String inner = span.getSource();
        b.getEvidenceBuilder().getTextSpanBuilder()
            .setSource(inner.isEmpty() ? source : source + ">" + inner);
      } else {
        b.getEvidenceBuilder().setTextSpan(wholeText(in.text(), source));
      }
      out.add(b.build());
      score = Math.max(score, f.getScore());
      if (f.getSeverity().getNumber() > severity.getNumber()) {
        severity = f.getSeverity();
      }
    }
    String excerpt = r.getSanitizedText();
    if (excerpt.length() > EXCERPT_CHARS) {
      excerpt = excerpt.substring(0, EXCERPT_CHARS) + "…";
    }
    out.add(Finding.newBuilder()
        .setDetector(detector)
        .setCategory(io.screenmesh.common.v1.Category.CATEGORY_HIDDEN_TEXT)
        .setScore(score)
        .setSeverity(severity)
        .setModality(modality)
        .setEvidence(Evidence.newBuilder().setTextSpan(wholeText(in.text(), source)).setExcerpt(excerpt))
        .setMessage("text hidden in " + source + " was flagged by text screening ("
            + r.getFindingsCount() + " finding" + (r.getFindingsCount() == 1 ? "" : "s") + ")")
        .build());
  }

  private static TextSpan wholeText(String text, String source) {
    return TextSpan.newBuilder()
        .setStartUtf16(0).setEndUtf16(text.length())
        .setStartCodePoint(0).setEndCodePoint(text.codePointCount(0, text.length()))
        .setSource(source)
        .build();
  }

  private static ScreeningException peerFailure(Throwable cause) {
    Status s = cause instanceof StatusRuntimeException sre ? sre.getStatus() : Status.fromThrowable(cause);
    if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
      return new ScreeningException(Status.Code.DEADLINE_EXCEEDED, DEADLINE_REASON,
          "text screening did not answer in time");
    }
    // Any other failure of the peer (down, refusing, broken) means the text went unscreened.
    return ScreeningException.unavailable(UNAVAILABLE_REASON,
        "text screening could not screen the derived text (" + s.getCode() + ")");
  }
}
