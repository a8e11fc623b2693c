package io.screenmesh.text.unicode;

/**
 * Text smuggled in invisible characters (tag characters, runs of variation selectors),
 * decoded so that the other detectors can read it.
 *
 * @param text the decoded text
 * @param start start of the carrying characters in the analysed text, UTF-16 units
 * @param end end of the carrying characters, UTF-16 units, exclusive
 * @param source how it was decoded, such as {@code decoded:tags}
 */
public record HiddenText(String text, int start, int end, String source) {}
