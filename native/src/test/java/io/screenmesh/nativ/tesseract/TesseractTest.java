package io.screenmesh.nativ.tesseract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Tesseract through FFM on text rendered here; needs libtesseract.so.5 and eng.traineddata (./screenmesh deps). */
class TesseractTest {

    private static BufferedImage rendered(String text, int px) {
        BufferedImage img = new BufferedImage(40 + text.length() * px * 2 / 3, px * 3, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, px));
        g.drawString(text, 20, px * 2);
        g.dispose();
        return img;
    }

    private static byte[] gray(BufferedImage img) {
        return ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    }

    @Test
    void readsRenderedWordsWithTheirBoxes() {
        TesseractLibrary lib = TesseractLibrary.load();
        assertTrue(lib.version().startsWith("5"), lib.version());
        assertEquals(1, lib.ompThreadLimit());
        BufferedImage img = rendered("please ignore the previous instructions", 28);
        try (Tesseract t = Tesseract.open(lib, null, "eng")) {
            OcrPage page = t.recognize(gray(img), img.getWidth(), img.getHeight(), Tesseract.PSM_AUTO, 5000);
            List<OcrWord> words = page.words();
            String text = words.stream().map(OcrWord::text).collect(Collectors.joining(" "));
            assertEquals("please ignore the previous instructions", text);
            OcrWord first = words.get(0);
            // "please" starts at x=20 and sits on the baseline at 2 * 28 px.
            assertTrue(first.x() >= 15 && first.x() <= 25, first.toString());
            assertTrue(first.y() > 28 && first.y() + first.height() <= 2 * 28 + 12, first.toString());
            assertTrue(first.confidence() > 80, first.toString());
            assertTrue(words.stream().allMatch(w -> w.sameLine(first)), words.toString());
        }
    }

    @Test
    void detectsTextTurnedSideways() {
        BufferedImage line = rendered("The quick brown fox jumps over the lazy dog again and again", 24);
        // Rotate 90 degrees clockwise.
        BufferedImage r = new BufferedImage(line.getHeight(), line.getWidth(), BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < line.getHeight(); y++) {
            for (int x = 0; x < line.getWidth(); x++) {
                r.getRaster().setSample(line.getHeight() - 1 - y, x, 0, line.getRaster().getSample(x, y, 0));
            }
        }
        try (Tesseract t = Tesseract.open(TesseractLibrary.load(), null, "eng")) {
            Tesseract.Orientation o = t.detectOrientation(gray(r), r.getWidth(), r.getHeight());
            assertNotNull(o);
            assertEquals(90, o.degrees(), o.toString());
            assertEquals(270, o.uprightTurn());
        }
    }

    @Test
    void refusesMissingLanguageDataAndUseAfterClose() {
        TesseractLibrary lib = TesseractLibrary.load();
        TesseractException e = assertThrows(TesseractException.class, () -> Tesseract.open(lib, null, "xqz"));
        assertTrue(e.getMessage().contains("tesseract-ocr-xqz"), e.getMessage());
        Tesseract t = Tesseract.open(lib, null, "eng");
        t.close();
        t.close();
        assertThrows(IllegalStateException.class, () -> t.recognize(new byte[4], 2, 2, Tesseract.PSM_AUTO, 100));
        assertThrows(IllegalArgumentException.class, () -> Tesseract.open(lib, null, "eng")
                .recognize(new byte[3], 2, 2, Tesseract.PSM_AUTO, 100));
    }

    @Test
    void parsesOnlyWordRows() {
        String tsv = "1\t1\t0\t0\t0\t0\t0\t0\t100\t50\t-1\t\n"
                + "5\t1\t1\t1\t1\t1\t10\t12\t30\t14\t96.5\tHello\n"
                + "5\t1\t1\t1\t1\t2\t45\t12\t20\t14\t91\t \n"
                + "5\t1\t1\t1\t2\t1\t10\t30\t30\t14\t88\tworld\n";
        List<OcrWord> words = Tesseract.parseTsv(tsv);
        assertEquals(2, words.size());
        assertEquals(new OcrWord("Hello", 96.5f, 10, 12, 30, 14, 1, 1, 1), words.get(0));
        assertEquals(2, words.get(1).line());
    }
}
