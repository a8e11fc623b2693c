package io.screenmesh.text.suffix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CharNgramModelTest {

  private static final List<String> CORPUS = List.of(
      "The weather is nice today, so we will walk to the park and have lunch there.",
      "Please send me the report by Friday; the meeting is on Monday morning.",
      "How do I reset my password? I forgot it after the holidays.",
      "She wrote a long letter to her brother about the new house and the garden.");

  private static CharNgramModel train() {
    CharNgramModel.Trainer t = new CharNgramModel.Trainer();
    CORPUS.forEach(t::add);
    return t.build(6f, 5f);
  }

  @Test
  void proseIsLessSurprisingThanTokenSoup() {
    CharNgramModel m = train();
    float prose = mean(m.bits("we will send the report to the park on monday"));
    float soup = mean(m.bits(new TokenSoup(1).next(14)));
    assertTrue(prose + 1.5f < soup, "prose " + prose + " vs soup " + soup);
  }

  @Test
  void writtenAndReadModelsScoreAlikeAndTrainingIsDeterministic() throws IOException {
    CharNgramModel m = train();
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    m.write(a);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    train().write(b);
    assertArrayEquals(a.toByteArray(), b.toByteArray(), "same texts, same bytes");
    CharNgramModel back = CharNgramModel.read(new ByteArrayInputStream(a.toByteArray()));
    assertEquals(m.size(), back.size());
    assertEquals(m.threshold(), back.threshold());
    assertEquals(m.suffixThreshold(), back.suffixThreshold());
    String probe = "Send the letter {[ ]] zq kindly";
    assertArrayEquals(m.bits(probe), back.bits(probe));
  }

  @Test
  void aStreamThatIsNoModelIsRefused() {
    assertThrows(IOException.class, () -> CharNgramModel.read(new ByteArrayInputStream(new byte[] {1, 2, 3})));
  }

  @Test
  void symbolsFoldCaseDigitsAndSpaces() {
    assertEquals('a', CharNgramModel.symbol('A'));
    assertEquals('0', CharNgramModel.symbol('7'));
    assertEquals(' ', CharNgramModel.symbol('\n'));
    assertTrue(CharNgramModel.foreign('é'));
    assertTrue(CharNgramModel.foreign('日'));
  }

  private static float mean(float[] bits) {
    float s = 0;
    for (float b : bits) {
      s += b;
    }
    return s / bits.length;
  }
}
