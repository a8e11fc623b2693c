package io.screenmesh.audio;

import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.services.common.DerivedTextScreener;
import io.screenmesh.services.common.engine.Detection;
import io.screenmesh.services.common.engine.DetectionContext;
import io.screenmesh.text.v1.TextOrigin;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Screens the text of a clip's LIST/INFO chunks (title, comment, artist, software...) with
 * text-screening, which a listener never hears but a model fed the file may read. Each clip of a
 * batch is one {@code ScreenTexts} call, all in flight at once. A clip without metadata text is
 * skipped. A clip whose text text-screening cannot screen (down, out of time, refused) is
 * reported as a failure of this detector on that clip alone, which then counts as not fully
 * screened.
 */
@ApplicationScoped
public class MetadataTextDetector implements AudioDetector {

  /** The detector id. */
  public static final String ID = "audio.metadata-text";

  private final DerivedTextScreener text;

  /** Creates the detector over the service's text-screening client. */
  public MetadataTextDetector(DerivedTextScreener text) {
    this.text = text;
  }

  @Override
  public String id() {
    return ID;
  }

  // A clip whose text text-screening could not screen fails alone; anything unexpected fails the batch.
  private static Detection detection(CompletableFuture<List<Finding>> call) throws Exception {
    try {
      return Detection.of(call.get());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof io.screenmesh.services.common.ScreeningException se) {
        return Detection.failed(List.of(), se.reason() + ": " + se.getMessage());
      }
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  @Override
  public List<Detection> detect(List<PreparedAudio> batch, DetectionContext context) throws Exception {
    List<CompletableFuture<List<Finding>>> calls = new ArrayList<>(batch.size());
    for (PreparedAudio clip : batch) {
      calls.add(clip.metadata().isEmpty() ? null : text.screenAsync(clip.metadata(), TextOrigin.TEXT_ORIGIN_METADATA,
          Modality.MODALITY_AUDIO, ID, "metadata:", context.deadline()));
    }
    try {
      List<Detection> out = new ArrayList<>(batch.size());
      for (CompletableFuture<List<Finding>> call : calls) {
        out.add(call == null ? Detection.skipped("no metadata text") : detection(call));
      }
      return out;
    } finally {
      // On a failure or an interruption (the detector's time is up) the other calls are not awaited.
      for (CompletableFuture<List<Finding>> call : calls) {
        if (call != null) {
          call.cancel(true);
        }
      }
    }
  }
}
