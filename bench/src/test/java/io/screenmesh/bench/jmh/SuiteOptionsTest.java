package io.screenmesh.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.screenmesh.bench.jmh.SuiteOptions.Group;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SuiteOptionsTest {

    @Test
    void noHotPathMeansAll() {
        SuiteOptions o = SuiteOptions.parse();
        assertEquals(EnumSet.of(Group.SQUEEZE, Group.SPECTRAL, Group.SIMILARITY), o.groups());
        assertEquals(o.groups(), SuiteOptions.parse("all", "--quick").groups(), "text runs only when named");
        assertFalse(o.quick());
        assertFalse(o.json());
        assertTrue(o.backends().isEmpty());
    }

    @Test
    void hotPathsAndFlagsCombine() {
        SuiteOptions o = SuiteOptions.parse("spectral", "--json", "similarity", "text", "--quick", "--backends", "native,JAVA",
                "--out", "x/r.json");
        assertEquals(Set.of(Group.SPECTRAL, Group.SIMILARITY, Group.TEXT), o.groups());
        assertTrue(o.quick());
        assertTrue(o.json());
        assertEquals(List.of("native", "java"), o.backends());
        assertEquals(Path.of("x/r.json"), o.out());
    }

    @Test
    void unknownArgumentsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SuiteOptions.parse("squeze"));
        assertEquals("unknown argument 'squeze'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SuiteOptions.parse("--backends", "gpu"));
        assertTrue(e.getMessage().contains("'gpu'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SuiteOptions.parse("--out", "--json"));
        assertEquals("--out needs a value", e.getMessage());
    }
}
