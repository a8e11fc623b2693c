package io.screenmesh.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration mapping accepts the engine's own keys and still refuses misspelled ones. */
class AudioConfigTest {

  private static SmallRyeConfig config(Map<String, String> properties) {
    return new SmallRyeConfigBuilder()
        .withMapping(AudioConfig.class)
        // Quarkus' own converter reads "2s"; plain SmallRye reads only ISO-8601 durations.
        .withConverter(Duration.class, 200, new DurationConverter())
        .withSources(new PropertiesConfigSource(properties, "test", 500))
        .build();
  }

  @Test
  void defaultsApplyWithoutAnyKey() {
    AudioConfig c = config(Map.of()).getConfigMapping(AudioConfig.class);
    assertEquals(Denoising.DEFAULTS, c.denoising());
    assertEquals(AudioLimits.DEFAULTS, c.limits());
    assertEquals(0.5, c.modalityVerdict().flag());
    assertTrue(c.batch().isEmpty());
  }

  @Test
  void batchAndDetectorKeysAreAccepted() {
    SmallRyeConfig raw = config(Map.of(
        "screenmesh.audio.batch.max-size", "4",
        "screenmesh.audio.detectors.ultrasonic.timeout", "10s",
        "screenmesh.audio.detectors.ultrasonic.cutoff-hz", "19000",
        "screenmesh.audio.denoise.cutoff-hz", "7000"));
    AudioConfig c = raw.getConfigMapping(AudioConfig.class);
    assertEquals(7000, c.denoise().cutoffHz());
    assertEquals("4", c.batch().get("max-size"));
    assertEquals("19000", c.detectors().get("ultrasonic").get("cutoff-hz"));
    assertEquals(19000.0, raw.getValue("screenmesh.audio.detectors.ultrasonic.cutoff-hz", Double.class));
  }

  @Test
  void aMisspelledKeyStopsStartUp() {
    assertThrows(ConfigValidationException.class,
        () -> config(Map.of("screenmesh.audio.denoise.cutof-hz", "7000")));
  }
}
