package io.screenmesh.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.audio.v1.ScreenAudioResponse;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.kernels.Spectral;
import io.screenmesh.kernels.java.JavaAccelerationProvider;
import io.screenmesh.services.common.engine.DetectorRegistry;
import io.screenmesh.services.common.engine.ModalityVerdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The engine gives a clip the same verdict whatever format it arrives in, and the sanitized copy
 * is a WAV whatever the input was.
 */
class FormatVerdictTest {

  private static final Spectral SPECTRAL = Spectral.on(new JavaAccelerationProvider());

  private final AudioEngine engine = new AudioEngine(new AudioDecoders(AudioLimits.DEFAULTS, 1 << 24),
      new DetectorRegistry<PreparedAudio>(Modality.MODALITY_AUDIO,
          List.of(new UltrasonicDetector(SPECTRAL, 18_000, 0.2, 0.5)), Map.of(),
          DetectorRegistry.Settings.enabled(Duration.ofSeconds(30))),
      ModalityVerdict.DEFAULT, SPECTRAL, Denoising.DEFAULTS);

  private ScreenAudioResponse screen(String fixture) {
    return engine.screen(ScreenAudioRequest.newBuilder().setId(fixture)
        .setData(ByteString.copyFrom(Fixtures.load(fixture))).build());
  }

  private static List<String> categories(ScreenAudioResponse r) {
    return r.getFindingsList().stream().map(Finding::getCategory).map(Category::name).sorted().toList();
  }

  @Test
  void speechGetsTheWavsVerdictInEveryFormat() {
    ScreenAudioResponse wav = screen("speech.wav");
    for (String name : new String[] {"speech.flac", "speech.ogg", "speech.opus", "speech.mp3"}) {
      ScreenAudioResponse r = screen(name);
      assertEquals(wav.getVerdict().getDecision(), r.getVerdict().getDecision(), name);
      assertEquals(categories(wav), categories(r), name);
      assertEquals(wav.getInfo().getDurationSeconds(), r.getInfo().getDurationSeconds(), 0.15, name);
      byte[] sanitized = r.getSanitizedWav().toByteArray();
      DecodedAudio clean = new SafeWavDecoder(AudioLimits.DEFAULTS).decode(sanitized);
      assertEquals("wav", clean.format(), name);
      assertEquals("pcm_s16le", clean.encoding(), name);
      assertEquals(r.getInfo().getSampleRate(), clean.sampleRate(), name);
    }
    assertEquals("flac", screen("speech.flac").getInfo().getFormat());
    assertEquals("ogg", screen("speech.opus").getInfo().getFormat());
    assertEquals("mp3", screen("speech.mp3").getInfo().getFormat());
  }

  @Test
  void anInaudibleCarrierIsBlockedAsFlacAsItIsAsWav() {
    ScreenAudioResponse wav = screen("carrier.wav");
    ScreenAudioResponse flac = screen("carrier.flac");
    assertEquals(Decision.DECISION_BLOCK, wav.getVerdict().getDecision());
    assertEquals(Decision.DECISION_BLOCK, flac.getVerdict().getDecision());
    assertEquals(categories(wav), categories(flac));
    assertTrue(categories(flac).contains(Category.CATEGORY_INAUDIBLE_COMMAND.name()));
  }
}
