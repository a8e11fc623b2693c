package io.screenmesh.text.screen;

import java.util.List;
import java.util.function.Function;

/** A text detector that is one stage of the {@link TextAnalyzer}, applied to each text. */
abstract class StageDetector implements TextDetector {

  private final String id;
  private final Function<PreparedText, List<Hit>> stage;

  StageDetector(String id, Function<PreparedText, List<Hit>> stage) {
    this.id = id;
    this.stage = stage;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public List<Hit> hits(PreparedText t) {
    return stage.apply(t);
  }
}
