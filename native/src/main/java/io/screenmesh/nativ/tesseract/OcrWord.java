package io.screenmesh.nativ.tesseract;

/**
 * One word that Tesseract recognized, with its box in the pixels it was given.
 *
 * @param text the word, UTF-8 decoded
 * @param confidence Tesseract's confidence, 0 to 100
 * @param x left edge
 * @param y top edge
 * @param width box width
 * @param height box height
 * @param block the block number, from 1
 * @param paragraph the paragraph number within the block, from 1
 * @param line the line number within the paragraph, from 1
 */
public record OcrWord(String text, float confidence, int x, int y, int width, int height, int block, int paragraph,
        int line) {

    /** True when {@code other} lies on the same text line (same block, paragraph and line). */
    public boolean sameLine(OcrWord other) {
        return block == other.block && paragraph == other.paragraph && line == other.line;
    }
}
