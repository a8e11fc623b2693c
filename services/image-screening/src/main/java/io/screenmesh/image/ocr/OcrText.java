package io.screenmesh.image.ocr;

import java.util.List;

/**
 * The text OCR read from one image.
 *
 * @param paragraphs the paragraphs in reading order, each with its region in the original image
 * @param pass which pre-processing gave them, such as {@code x2 rot90 inverted}
 * @param passes how many recognition passes ran
 * @param overBudget true when the image's OCR budget ran out before every pass that was wanted
 *     had run, so text may have been missed
 * @param nanos how long OCR took
 * @param trace one line per step (pass or orientation detection): what it found and its time,
 *     for logs and tuning
 */
public record OcrText(List<Paragraph> paragraphs, String pass, int passes, boolean overBudget, long nanos,
    List<String> trace) {

  /** Copies the lists. */
  public OcrText {
    paragraphs = List.copyOf(paragraphs);
    trace = List.copyOf(trace);
  }

  /**
   * A paragraph: its lines joined with single spaces.
   *
   * @param text the words of its lines joined by spaces
   * @param confidence the mean word confidence, 0 to 100
   * @param x left edge in the original image
   * @param y top edge in the original image
   * @param width width in the original image
   * @param height height in the original image
   */
  public record Paragraph(String text, float confidence, int x, int y, int width, int height) {}

  /** All the text, paragraphs separated by newlines. */
  public String text() {
    StringBuilder b = new StringBuilder();
    for (Paragraph p : paragraphs) {
      if (!b.isEmpty()) {
        b.append('\n');
      }
      b.append(p.text());
    }
    return b.toString();
  }
}
