package io.screenmesh.nativ.tesseract;

import java.util.List;

/**
 * What one recognition pass returned.
 *
 * @param words the words in reading order
 * @param timedOut true when the pass hit its time limit, so {@code words} may be incomplete
 * @param nanos how long the pass took
 */
public record OcrPage(List<OcrWord> words, boolean timedOut, long nanos) {

    /** Copies the word list. */
    public OcrPage {
        words = List.copyOf(words);
    }
}
