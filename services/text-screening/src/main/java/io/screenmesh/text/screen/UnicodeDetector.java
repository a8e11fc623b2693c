package io.screenmesh.text.screen;

import jakarta.inject.Singleton;

/**
 * {@code text.unicode}: invisible and format characters, tag characters, bidi controls,
 * confusables and mixed scripts, found by the unicode stage that every text goes through.
 */
@Singleton
public class UnicodeDetector extends StageDetector {

  /** The detector id. */
  public static final String ID = "text.unicode";

  /** The detector; the unicode stage itself runs once per text, before any detector. */
  public UnicodeDetector() {
    super(ID, t -> t.unicode().hits());
  }
}
