package io.screenmesh.services.common;

import com.google.common.util.concurrent.ListenableFuture;
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
import io.screenmesh.text.v1.TextOrigin;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Screens text that a modality service derived from its input (metadata, OCR, transcripts) by
 * calling text-screening, one concurrent unary call per text, and maps the answers onto the
 * modality's findings.
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
   * Screens {@code texts} and returns the mapped findings (empty when nothing was found).
   *
   * @param texts the texts; an empty list makes no call
   * @param origin where the texts came from, for text-screening's detectors
   * @param modality the modality of the input the texts were derived from
   * @param detector the id of the calling detector, such as {@code image.metadata-text}
   * @param sourcePrefix prefixed to each text's source in the findings, such as {@code metadata:}
   * @param callerDeadline the deadline of the call being served, or null when it has none
   * @throws ScreeningException UNAVAILABLE or DEADLINE_EXCEEDED when text-screening cannot answer
   */
  public List<Finding> screen(List<SourcedText> texts, TextOrigin origin, Modality modality,
      String detector, String sourcePrefix, Deadline callerDeadline) {
    if (texts.isEmpty()) {
      return List.of();
    }
    Deadline deadline = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (callerDeadline != null) {
      deadline = deadline.minimum(callerDeadline);
    }
    if (deadline.isExpired()) {
      throw new ScreeningException(Status.Code.DEADLINE_EXCEEDED, DEADLINE_REASON,
          "no time left to screen the derived text");
    }
    var withDeadline = stub.withDeadline(deadline);
    List<ListenableFuture<ScreenTextResponse>> calls = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      calls.add(withDeadline.screenText(ScreenTextRequest.newBuilder()
          .setId(Integer.toString(i))
          .setText(texts.get(i).text())
          .setOrigin(origin)
          .build()));
    }
    List<Finding> out = new ArrayList<>();
    try {
      for (int i = 0; i < texts.size(); i++) {
        // The stub enforces the deadline itself; the extra second only bounds a lost answer.
        ScreenTextResponse r = calls.get(i).get(
            deadline.timeRemaining(TimeUnit.MILLISECONDS) + 1_000, TimeUnit.MILLISECONDS);
        map(texts.get(i), r, modality, detector, sourcePrefix, out);
      }
    } catch (ExecutionException e) {
      throw peerFailure(e.getCause());
    } catch (TimeoutException e) {
      throw new ScreeningException(Status.Code.DEADLINE_EXCEEDED, DEADLINE_REASON,
          "text screening did not answer in time");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ScreeningException(Status.Code.CANCELLED, "CANCELLED", "screening was interrupted");
    } finally {
      for (var c : calls) {
        c.cancel(true);
      }
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
