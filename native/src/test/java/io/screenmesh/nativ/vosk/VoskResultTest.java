package io.screenmesh.nativ.vosk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing Vosk's results, and loading models that are not there. */
class VoskResultTest {

    @Test
    void parsesWordsTimesAndConfidences() {
        VoskResult r = VoskResult.parse("{\n  \"result\" : [{\n      \"conf\" : 1.000000,\n      \"end\" : 0.66,\n"
                + "      \"start\" : 0.21,\n      \"word\" : \"ignore\"\n    }, {\n      \"conf\" : 0.5,\n"
                + "      \"end\" : 1.2e0,\n      \"start\" : 0.66,\n      \"word\" : \"all\"\n    }],\n"
                + "  \"text\" : \"ignore all\"\n}");
        assertEquals("ignore all", r.text());
        assertEquals(2, r.words().size());
        assertEquals(new VoskResult.Word("ignore", 0.21, 0.66, 1.0), r.words().get(0));
        assertEquals(1.2, r.words().get(1).end(), 1e-12);
        assertEquals(0.75, r.meanConfidence(), 1e-12);
    }

    @Test
    void anEmptyResultHasNoWords() {
        VoskResult r = VoskResult.parse("{\"text\" : \"\"}");
        assertEquals("", r.text());
        assertTrue(r.words().isEmpty());
        assertEquals(0, r.meanConfidence());
    }

    @Test
    void escapesAreDecoded() {
        assertEquals("a\"b\u00e9", VoskResult.parse("{\"text\": \"a\\\"b\\u00e9\"}").text());
    }

    @Test
    void malformedJsonIsRefused() {
        for (String bad : new String[] {"", "{", "{\"text\": }", "[1, 2", "{\"text\": \"x\"} trailing", "{\"a\": 1e}"}) {
            assertThrows(VoskException.class, () -> VoskResult.parse(bad), bad);
        }
        assertThrows(VoskException.class, () -> VoskResult.parse("[]"));
    }

    @Test
    void aModelDirectoryThatIsNotThereOrIncompleteIsRefusedBeforeTheLibraryLoads(@TempDir Path dir) throws Exception {
        VoskException missing = assertThrows(VoskException.class, () -> VoskModel.load(dir.resolve("absent")));
        assertTrue(missing.getMessage().contains("no Vosk model directory"), missing.getMessage());
        Files.createDirectories(dir.resolve("partial/am"));
        VoskException partial = assertThrows(VoskException.class, () -> VoskModel.load(dir.resolve("partial")));
        assertTrue(partial.getMessage().contains("has no am/final.mdl"), partial.getMessage());
    }
}
