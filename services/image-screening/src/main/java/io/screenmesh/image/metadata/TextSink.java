package io.screenmesh.image.metadata;

import io.screenmesh.services.common.DerivedTextScreener.SourcedText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects metadata text under limits. Texts from the same source are joined with a newline;
 * once the number of distinct sources reaches the limit, further sources are joined into one
 * {@value #OVERFLOW} text, so that a flood of harmless entries cannot push an attack out of
 * what is screened. A text longer than the limit is cut and the cut is noted.
 */
public final class TextSink {

  /** The source of texts beyond the distinct-source limit. */
  public static final String OVERFLOW = "overflow";

  private final int maxTexts;
  private final int maxChars;
  private final Map<String, StringBuilder> texts = new LinkedHashMap<>();
  private final List<MetadataNote> notes = new ArrayList<>();

  /**
   * Creates a sink.
   *
   * @param maxTexts the most distinct sources kept (at least 2: one of them is the overflow)
   * @param maxChars the longest text kept per source, in UTF-16 code units
   */
  public TextSink(int maxTexts, int maxChars) {
    if (maxTexts < 2 || maxChars < 1) {
      throw new IllegalArgumentException("limits too small: maxTexts " + maxTexts + ", maxChars " + maxChars);
    }
    this.maxTexts = maxTexts;
    this.maxChars = maxChars;
  }

  /** Adds {@code text} found at {@code source}; blank text is ignored. */
  public void add(String source, String text) {
    String cleaned = clean(text);
    if (cleaned.isBlank()) {
      return;
    }
    String key = source;
    if (!texts.containsKey(key) && texts.size() >= maxTexts - 1) {
      key = OVERFLOW;
    }
    StringBuilder sb = texts.computeIfAbsent(key, k -> new StringBuilder());
    if (sb.length() >= maxChars) {
      return;
    }
    if (!sb.isEmpty()) {
      sb.append('\n');
    }
    int room = maxChars - sb.length();
    if (cleaned.length() > room) {
      sb.append(cleaned, 0, room);
      note(new MetadataNote(key, MetadataNote.Kind.TEXT_CUT,
          "metadata text at " + key + " is longer than " + maxChars + " characters; the rest was not screened"));
    } else {
      sb.append(cleaned);
    }
  }

  /** Records something noteworthy about the metadata itself. */
  public void note(MetadataNote note) {
    if (!notes.contains(note)) {
      notes.add(note);
    }
  }

  /** The texts collected, in the order their sources were first seen. */
  public List<SourcedText> texts() {
    List<SourcedText> out = new ArrayList<>(texts.size());
    texts.forEach((k, v) -> out.add(new SourcedText(k, v.toString())));
    return out;
  }

  /** The notes recorded. */
  public List<MetadataNote> notes() {
    return List.copyOf(notes);
  }

  // NUL separates values in EXIF and terminates C strings; elsewhere it only hides text from
  // tools that stop at it, so it becomes a line break and the text on both sides is screened.
  private static String clean(String text) {
    String t = text.strip();
    int end = t.length();
    while (end > 0 && t.charAt(end - 1) == '\0') {
      end--;
    }
    return t.substring(0, end).replace('\0', '\n').strip();
  }
}
