package io.screenmesh.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Creating providers by name, and the reasons given when one cannot start. */
class AccelerationProvidersTest {

    @Test
    void javaAlwaysStarts() {
        AccelerationProvider p = AccelerationProviders.create("java");
        assertEquals(Backend.JAVA, p.backend());
        assertEquals("java", p.backend().id());
    }

    @Test
    void unknownNamesAreRejectedWithTheChoices() {
        var e = assertThrows(IllegalArgumentException.class, () -> AccelerationProviders.create("tpu"));
        assertEquals("unknown backend 'tpu': expected one of cuda, native, java", e.getMessage());
    }

    @Test
    void aBackendThatCannotStartSaysWhy() {
        // Whichever accelerated backend refuses here must give a reason, not a bare class name.
        for (Backend b : new Backend[] {Backend.CUDA, Backend.NATIVE}) {
            try {
                AccelerationProvider p = AccelerationProviders.create(b);
                assertEquals(b, p.backend());
                assertTrue(p.description().startsWith(b.id()), p.description());
            } catch (BackendUnavailableException e) {
                assertTrue(e.getMessage() != null && e.getMessage().length() > 20, "reason: " + e.getMessage());
            }
        }
    }

    @Test
    void theConfiguredChoiceDefaultsToAuto() {
        String previous = System.getProperty(AccelerationProviders.PROPERTY);
        try {
            System.setProperty(AccelerationProviders.PROPERTY, " Native ");
            assertEquals("native", AccelerationProviders.configuredChoice());
            System.clearProperty(AccelerationProviders.PROPERTY);
            if (System.getenv(AccelerationProviders.ENV) == null) {
                assertEquals("auto", AccelerationProviders.configuredChoice());
            }
        } finally {
            if (previous != null) {
                System.setProperty(AccelerationProviders.PROPERTY, previous);
            }
        }
    }
}
