package io.screenmesh.text.unicode;

import io.screenmesh.text.screen.Hit;
import io.screenmesh.text.screen.MappedText;
import java.util.List;

/**
 * What the unicode stage produced for one text.
 *
 * @param cleaned the text with hidden, invisible and bidi control characters removed and NFKC
 *     applied, but not de-confused: the base of the sanitized output
 * @param normalized {@code cleaned} with confusable characters in disguised words replaced by
 *     the ASCII letters they imitate: the text the rule detectors read
 * @param hits the unicode findings, with spans in the analysed text
 * @param hidden text decoded from tag characters or variation selectors, to be screened too
 */
public record UnicodeResult(MappedText cleaned, MappedText normalized, List<Hit> hits,
    List<HiddenText> hidden) {}
