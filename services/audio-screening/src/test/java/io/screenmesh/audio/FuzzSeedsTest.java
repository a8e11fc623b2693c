package io.screenmesh.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.Status;
import io.screenmesh.services.common.ScreeningException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every fuzzing seed (src/test/resources/fuzz-seeds) decodes to a clip within the limits or is
 * refused with a reason; no other exception escapes the decoders.
 */
class FuzzSeedsTest {

  private static final Set<String> REASONS = Set.of(SafeWavDecoder.EMPTY, SafeWavDecoder.TOO_LARGE,
      SafeWavDecoder.TOO_LONG, SafeWavDecoder.FORMAT_UNSUPPORTED, SafeWavDecoder.SAMPLE_RATE_UNSUPPORTED,
      SafeWavDecoder.CHANNELS_UNSUPPORTED, SafeWavDecoder.MALFORMED);
  private static final long MAX_DECODED = AudioLimits.DEFAULTS.maxBytes() / 2;

  private final AudioDecoders decoders = new AudioDecoders(AudioLimits.DEFAULTS, MAX_DECODED);

  // A guard against a decoder that loops, not a timing assertion: the whole corpus takes about a second.
  @Test
  @Timeout(120)
  void everySeedDecodesWithinTheLimitsOrIsRefusedWithAReason() throws IOException, URISyntaxException {
    Path root = Path.of(FuzzSeedsTest.class.getResource("/fuzz-seeds").toURI());
    Map<String, int[]> outcomes = new TreeMap<>();
    List<Path> seeds;
    try (Stream<Path> files = Files.walk(root)) {
      seeds = files.filter(Files::isRegularFile).filter(p -> !p.getParent().equals(root)).sorted().toList();
    }
    for (Path seed : seeds) {
      String format = seed.getParent().getFileName().toString();
      String name = root.relativize(seed).toString();
      int[] counts = outcomes.computeIfAbsent(format, k -> new int[2]);
      try {
        DecodedAudio a = decoders.decode(Files.readAllBytes(seed));
        AudioLimits l = AudioLimits.DEFAULTS;
        assertTrue(a.sampleRate() >= l.minSampleRate() && a.sampleRate() <= l.maxSampleRate(), name);
        assertTrue(a.channels() >= 1 && a.channels() <= l.maxChannels(), name);
        assertTrue(a.seconds() <= l.maxSeconds(), name);
        assertTrue((long) a.mono().length * a.channels() <= Math.max(MAX_DECODED, l.maxBytes()), name);
        assertTrue(a.metadata().size() <= l.maxTexts(), name);
        counts[0]++;
      } catch (ScreeningException e) {
        assertTrue(REASONS.contains(e.reason()), name + ": " + e.reason());
        assertNotEquals(Status.Code.INTERNAL, e.code(), name);
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), name);
        counts[1]++;
      } catch (RuntimeException | Error e) {
        fail(name + " escaped the decoders with " + e, e);
      }
    }
    assertEquals(Set.of("flac", "mp3", "opus", "vorbis", "wav"), outcomes.keySet());
    // Each corpus has valid clips that decode and malformed ones that are refused.
    outcomes.forEach((format, counts) -> {
      assertTrue(counts[0] >= 2, format + ": " + counts[0] + " decoded");
      assertTrue(counts[1] >= 5, format + ": " + counts[1] + " refused");
    });
  }
}
