package io.screenmesh.audio.speech;

import io.grpc.Deadline;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Evidence;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.TimeRange;
import io.screenmesh.services.common.DerivedTextScreener;
import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import io.screenmesh.services.common.ScreeningException;
import io.screenmesh.text.v1.TextOrigin;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Sends transcripts to text-screening (one {@code ScreenTexts} call, origin TRANSCRIPT) and
 * turns the text findings into audio findings: each keeps its detector, category and score, and
 * its evidence becomes the time range of the words its text span covers, with those words as
 * the excerpt. The summary finding that {@link DerivedTextScreener} adds per flagged text
 * becomes a {@link Category#CATEGORY_SPOKEN_INJECTION} finding of the calling detector.
 */
public final class TranscriptScreening {

  private final DerivedTextScreener text;

  /** Creates it over the service's text-screening client. */
  public TranscriptScreening(DerivedTextScreener text) {
    this.text = text;
  }

  /**
   * Screens the non-empty {@code transcripts} (keyed by source, such as {@code transcript}).
   *
   * @param transcripts the transcripts by source name
   * @param detector the calling detector's id
   * @param kind what the speech is, for messages ("speech", "the demodulated ultrasonic band")
   * @param deadline the batch's deadline, or null
   * @return the findings; an empty list when every transcript is empty
   * @throws ScreeningException when text-screening cannot screen them (UNAVAILABLE or
   *     DEADLINE_EXCEEDED)
   * @throws InterruptedException when the detector's time is up
   */
  public List<Finding> screen(Map<String, Transcript> transcripts, String detector, String kind, Deadline deadline)
      throws InterruptedException {
    Map<String, Transcript> heard = new LinkedHashMap<>();
    transcripts.forEach((source, t) -> {
      if (!t.isEmpty()) {
        heard.put(source, t);
      }
    });
    if (heard.isEmpty()) {
      return List.of();
    }
    List<SourcedText> texts = heard.entrySet().stream().map(e -> new SourcedText(e.getKey(), e.getValue().text())).toList();
    CompletableFuture<List<Finding>> call =
        text.screenAsync(texts, TextOrigin.TEXT_ORIGIN_TRANSCRIPT, Modality.MODALITY_AUDIO, detector, "", deadline);
    List<Finding> found;
    try {
      found = call.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ScreeningException se) {
        throw se;
      }
      throw new IllegalStateException("screening a transcript failed", e.getCause());
    } finally {
      call.cancel(true);
    }
    List<Finding> out = new ArrayList<>(found.size());
    for (Finding f : found) {
      out.add(timed(f, heard, detector, kind));
    }
    return out;
  }

  private static Finding timed(Finding f, Map<String, Transcript> heard, String detector, String kind) {
    if (!f.hasEvidence() || !f.getEvidence().hasTextSpan()) {
      return f;
    }
    var span = f.getEvidence().getTextSpan();
    String source = span.getSource();
    int cut = source.indexOf('>');
    Transcript t = heard.get(cut < 0 ? source : source.substring(0, cut));
    if (t == null) {
      return f;
    }
    TimeRange range = t.timeOf(span.getStartUtf16(), span.getEndUtf16());
    if (range == null) {
      return f;
    }
    String words = t.wordsOf(span.getStartUtf16(), span.getEndUtf16());
    Finding.Builder b = f.toBuilder()
        .setEvidence(Evidence.newBuilder().setTimeRange(range).setExcerpt(excerpt(words)));
    if (f.getDetector().equals(detector) && f.getCategory() == Category.CATEGORY_HIDDEN_TEXT) {
      b.setCategory(Category.CATEGORY_SPOKEN_INJECTION)
          .setMessage(String.format("%s in the clip from %.2f s to %.2f s was flagged by text screening: \"%s\"",
              kind, range.getStartSeconds(), range.getEndSeconds(), excerpt(words)));
    }
    return b.build();
  }

  private static String excerpt(String words) {
    return words.length() <= 160 ? words : words.substring(0, 160) + "…";
  }
}
