package io.screenmesh.audio;

import com.google.protobuf.ByteString;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.kernels.AccelerationProviders;
import io.screenmesh.kernels.Spectral;
import io.screenmesh.services.common.engine.DetectorRegistry;
import io.screenmesh.services.common.engine.ModalityVerdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rough wall times of 30 s clips (16 kHz, or {@code -Drate=48000}) through the
 * {@link AudioEngine} with the gate on, per backend; a tool, not a test (times depend on the
 * machine). Run with the test classpath:
 * {@code java -cp ... io.screenmesh.audio.AudioEngineTiming java native [cuda]}.
 */
public final class AudioEngineTiming {

  private AudioEngineTiming() {}

  /** Times each backend named in {@code args}. */
  public static void main(String[] args) {
    int rate = Integer.getInteger("rate", 16_000);
    byte[] wav = SanitizedWav.encode(AudioEngineTest.clip(rate, 30, 0, 1), rate);
    ScreenAudioRequest one = ScreenAudioRequest.newBuilder().setId("t").setData(ByteString.copyFrom(wav)).build();
    for (String backend : args.length == 0 ? new String[] {"java", "native"} : args) {
      Spectral spectral = Spectral.on(AccelerationProviders.create(backend));
      var registry = new DetectorRegistry<PreparedAudio>(Modality.MODALITY_AUDIO,
          List.of(new UltrasonicDetector(spectral, 18_000, 0.2, 0.5)), Map.of(),
          DetectorRegistry.Settings.enabled(Duration.ofMinutes(1)));
      AudioEngine engine = new AudioEngine(new SafeWavDecoder(AudioLimits.DEFAULTS), registry,
          ModalityVerdict.DEFAULT, spectral, Denoising.DEFAULTS);
      for (int batch : new int[] {1, 4}) {
        List<ScreenAudioRequest> requests = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
          requests.add(one);
        }
        engine.screenAll(requests); // warm-up
        int runs = 5;
        long best = Long.MAX_VALUE;
        String stages = "";
        for (int r = 0; r < runs; r++) {
          long t0 = System.nanoTime();
          var answers = engine.screenAll(requests);
          long t = System.nanoTime() - t0;
          if (t < best) {
            best = t;
            stages = answers.getFirst().response().getProcessing().getTimingsList().toString().replace('\n', ' ');
          }
        }
        System.out.printf("%-6s batch %d × 30 s @%d Hz: best of %d %.1f ms (%.1f ms per clip, %.0f× real time) %s%n",
            backend, batch, rate, runs, best / 1e6, best / 1e6 / batch, 30_000.0 * batch / (best / 1e6), stages);
      }
    }
  }
}
