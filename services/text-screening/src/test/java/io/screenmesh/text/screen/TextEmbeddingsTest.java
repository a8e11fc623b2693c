package io.screenmesh.text.screen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.screenmesh.text.embed.TextEmbedding;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextEmbeddingsTest {

  @Test
  void windowSpansMoveToOriginalOffsets() {
    // Original "a\u200Bbc de" normalized to "abc de": derived unit i came from the original
    // units listed here.
    MappedText.Builder b = new MappedText.Builder(7);
    b.appendChar('a', 0, 1).appendChar('b', 2, 3).appendChar('c', 3, 4).appendChar(' ', 4, 5)
        .appendChar('d', 5, 6).appendChar('e', 6, 7);
    MappedText map = b.build();
    float[] v = {1f};
    TextEmbedding e = new TextEmbedding(List.of(new TextEmbedding.Window(0, 3, v), new TextEmbedding.Window(1, 6, v)));
    TextEmbedding moved = TextEmbeddings.toOriginal(e, map);
    assertEquals(0, moved.windows().get(0).start());
    assertEquals(4, moved.windows().get(0).end());
    assertEquals(2, moved.windows().get(1).start());
    assertEquals(7, moved.windows().get(1).end());
  }

  @Test
  void anEmptyWindowStaysEmpty() {
    MappedText.Builder b = new MappedText.Builder(3);
    MappedText map = b.build();
    TextEmbedding e = new TextEmbedding(List.of(new TextEmbedding.Window(0, 0, new float[] {1f})));
    assertEquals(0, TextEmbeddings.toOriginal(e, map).first().end());
  }

  @Test
  void theWholeTextVectorIsTheNormalizedMeanOfItsWindows() {
    TextEmbedding e = new TextEmbedding(List.of(new TextEmbedding.Window(0, 3, new float[] {1f, 0f}),
        new TextEmbedding.Window(2, 6, new float[] {0f, 1f})));
    float[] v = TextScreener.wholeText(e);
    assertEquals(Math.sqrt(0.5), v[0], 1e-6);
    assertEquals(Math.sqrt(0.5), v[1], 1e-6);
    float[] one = TextScreener.wholeText(new TextEmbedding(List.of(new TextEmbedding.Window(0, 1, new float[] {0.6f, 0.8f}))));
    assertEquals(0.6, one[0], 1e-6);
  }
}
