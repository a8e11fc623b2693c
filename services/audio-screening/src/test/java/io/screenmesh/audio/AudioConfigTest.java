package io.screenmesh.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.DurationConverter;
import io.screenmesh.services.common.engine.EngineSettings;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.List;
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
    assertTrue(c.batch().isEmpty());
  }

  @Test
  void batchAndDetectorKeysAreAccepted() {
    SmallRyeConfig raw = config(Map.of(
        "screenmesh.audio.batch.max-size", "4",
        "screenmesh.audio.detectors.ultrasonic.timeout", "10s",
        "screenmesh.audio.detectors.ultrasonic.cutoff-hz", "19000",
        "screenmesh.audio.denoise.cutoff-hz", "7000",
        "screenmesh.audio.verdict.flag-threshold", "0.4"));
    AudioConfig c = raw.getConfigMapping(AudioConfig.class);
    assertEquals(7000, c.denoise().cutoffHz());
    assertEquals("4", c.batch().get("max-size"));
    assertEquals("19000", c.detectors().get("ultrasonic").get("cutoff-hz"));
    assertEquals(19000.0, raw.getValue("screenmesh.audio.detectors.ultrasonic.cutoff-hz", Double.class));
    // The engine's own reading of its keys.
    EngineSettings engine = EngineSettings.read(raw, "screenmesh.audio", List.of("audio.ultrasonic"),
        new EngineSettings.Defaults(8, Duration.ofMillis(2), 16, 2, 8, Duration.ofSeconds(5)));
    assertEquals(4, engine.batcher().maxBatch());
    assertEquals(Duration.ofSeconds(10), engine.detectors().get("audio.ultrasonic").timeout());
    assertEquals(0.4, engine.verdict().flag());
    assertEquals(0.85, engine.verdict().block());
  }

  @Test
  void aMisspelledKeyStopsStartUp() {
    assertThrows(ConfigValidationException.class,
        () -> config(Map.of("screenmesh.audio.denoise.cutof-hz", "7000")));
  }
}
