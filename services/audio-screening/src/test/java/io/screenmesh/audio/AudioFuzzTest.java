package io.screenmesh.audio;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.screenmesh.services.common.testing.FuzzChecks;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for the audio decoders (WAV/RF64, FLAC, Ogg Vorbis, Ogg Opus, MP3, picked by
 * magic bytes). Its seed corpus is src/test/resources/fuzz-seeds/&lt;format&gt;/ (made by
 * make-seeds.py): {@link #everyFuzzSeedPassesTheTarget()} runs it through the target in every
 * build, and {@code ./screenmesh fuzz} copies it into the fuzzing corpus.
 */
class AudioFuzzTest {

  // Smaller than the service's defaults so one input decodes in milliseconds; the header-first
  // checks and the decode cap are the same code.
  private static final AudioLimits LIMITS = new AudioLimits(1 << 20, 60, 8_000, 192_000, 8, 32, 16_384);
  private static final long MAX_DECODED_SAMPLES = 1 << 20;
  private static final Set<String> REASONS = Set.of(SafeWavDecoder.EMPTY, SafeWavDecoder.TOO_LARGE,
      SafeWavDecoder.TOO_LONG, SafeWavDecoder.FORMAT_UNSUPPORTED, SafeWavDecoder.SAMPLE_RATE_UNSUPPORTED,
      SafeWavDecoder.CHANNELS_UNSUPPORTED, SafeWavDecoder.MALFORMED);
  // A decode may hold its capped output a few times over (the decoder's PCM, the interleaved
  // buffer, the mono floats: 16 bytes a sample at most), plus the decoders' fixed tables.
  private static final long ALLOWANCE = 16 * MAX_DECODED_SAMPLES + (8L << 20);

  private static final AudioDecoders DECODERS = new AudioDecoders(LIMITS, MAX_DECODED_SAMPLES);

  @FuzzTest
  void decode(byte[] data) {
    FuzzChecks.check(data.length, ALLOWANCE, REASONS, () -> {
      DecodedAudio a = DECODERS.decode(data);
      assertTrue(a.sampleRate() >= LIMITS.minSampleRate() && a.sampleRate() <= LIMITS.maxSampleRate(), "rate");
      assertTrue(a.channels() >= 1 && a.channels() <= LIMITS.maxChannels(), "channels");
      assertTrue(a.seconds() <= LIMITS.maxSeconds(), "duration");
      assertTrue((long) a.mono().length * a.channels() <= MAX_DECODED_SAMPLES, "decoded samples");
      assertTrue(a.metadata().size() <= LIMITS.maxTexts(), "metadata texts");
    });
  }

  @Test
  void everyFuzzSeedPassesTheTarget() throws IOException, URISyntaxException {
    Path root = Path.of(AudioFuzzTest.class.getResource("/fuzz-seeds").toURI());
    List<Path> seeds;
    try (Stream<Path> files = Files.walk(root)) {
      seeds = files.filter(Files::isRegularFile).filter(p -> !p.getParent().equals(root)).sorted().toList();
    }
    assertTrue(seeds.size() >= 50, seeds.size() + " seeds");
    for (Path seed : seeds) {
      try {
        decode(Files.readAllBytes(seed));
      } catch (AssertionError e) {
        throw new AssertionError(root.relativize(seed) + ": " + e.getMessage(), e);
      }
    }
  }
}
