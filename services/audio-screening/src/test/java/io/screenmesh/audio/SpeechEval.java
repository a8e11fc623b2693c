package io.screenmesh.audio;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.screenmesh.audio.speech.SpeechRecognizer;
import io.screenmesh.audio.speech.Transcript;
import io.screenmesh.audio.speech.TranscriptScreening;
import io.screenmesh.audio.speech.Transcripts;
import io.screenmesh.audio.speech.WordDistance;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.audio.v1.ScreenAudioResponse;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.StageTiming;
import io.screenmesh.kernels.AccelerationProviders;
import io.screenmesh.kernels.Spectral;
import io.screenmesh.services.common.DerivedTextScreener;
import io.screenmesh.services.common.engine.DetectorRegistry;
import io.screenmesh.services.common.engine.ModalityVerdict;
import io.screenmesh.services.common.testing.PackagedService;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The speech evaluation: screens every clip of {@code scripts/speech-data.py}'s manifest with
 * the audio engine (speech, ultrasonic with demodulation, drift when enabled) against a real
 * text-screening process, and reports spoken-injection TPR/FPR per split (the threshold
 * calibrated on "tune" only), word error rate per voice and channel, AM-ultrasonic results with
 * the recovered text, drift scores, and the end-to-end time of a 10 s clip with each stage's
 * real-time factor. Not a unit test: run by {@code scripts/speech-eval.sh}.
 *
 * <p>Arguments: {@code manifest.jsonl out-dir [drift]}.
 */
public final class SpeechEval {

  private SpeechEval() {}

  /** One recognition the transcripts cache reported. */
  private record Heard(int rate, int length, Transcript transcript, long nanos) {}

  /** Runs the evaluation. */
  public static void main(String[] args) throws Exception {
    Path manifest = Path.of(args[0]);
    Path out = Path.of(args[1]);
    boolean drift = args.length > 2 && args[2].equals("drift");
    int driftPerChannel = args.length > 3 ? Integer.parseInt(args[3]) : 6;
    Files.createDirectories(out);
    Gson gson = new Gson();
    List<JsonObject> clips = new ArrayList<>();
    for (String line : Files.readAllLines(manifest)) {
      if (!line.isBlank()) {
        clips.add(gson.fromJson(line, JsonObject.class));
      }
    }
    PackagedService text = PackagedService.start(
        Path.of("services/text-screening/target/quarkus-app/quarkus-run.jar"), Map.of(), Duration.ofSeconds(120));
    ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", text.port()).usePlaintext().build();
    List<Heard> heard = new ArrayList<>();
    try (SpeechRecognizer recognizer = SpeechRecognizer.load("")) {
      Transcripts transcripts = new Transcripts(recognizer, (signal, rate, t, nanos) -> {
        synchronized (heard) {
          heard.add(new Heard(rate, signal.length, t, nanos));
        }
      });
      Spectral spectral = Spectral.on(AccelerationProviders.choose("auto"));
      DerivedTextScreener derived = new DerivedTextScreener(channel, Duration.ofSeconds(10));
      TranscriptScreening screening = new TranscriptScreening(derived);
      List<AudioDetector> detectors = new ArrayList<>(List.of(
          // The run in bench/RESULTS.md retried low-confidence clips on the denoised signal (0.7);
          // the service's default is now 0, because those second transcripts were worse.
          new SpeechDetector(transcripts, screening, 0.7, true),
          new UltrasonicDetector(spectral, 18_000, 0.2, 0.5, transcripts, screening, 0.01)));
      if (drift) {
        drift(new DriftDetector(transcripts, DriftDetector.DEFAULT_THRESHOLD, List.of("bits8", "resample8k", "denoised")),
            spectral, manifest, clips, out, driftPerChannel);
        return;
      }
      var registry = new DetectorRegistry<PreparedAudio>(Modality.MODALITY_AUDIO, detectors, Map.of(),
          DetectorRegistry.Settings.enabled(Duration.ofSeconds(300)));
      AudioEngine engine = new AudioEngine(new SafeWavDecoder(AudioLimits.DEFAULTS), registry, ModalityVerdict.DEFAULT,
          spectral, Denoising.DEFAULTS);
      var textStub = TextScreeningServiceGrpc.newBlockingStub(channel);
      try (BufferedWriter w = Files.newBufferedWriter(out.resolve("clips.jsonl"))) {
        for (JsonObject c : clips) {
          byte[] wav = Files.readAllBytes(manifest.getParent().resolve(c.get("path").getAsString()));
          int rate = c.get("rate").getAsInt();
          synchronized (heard) {
            heard.clear();
          }
          long t0 = System.nanoTime();
          ScreenAudioResponse r = engine.screen(ScreenAudioRequest.newBuilder().setId(c.get("id").getAsString())
              .setData(ByteString.copyFrom(wav)).setOmitSanitized(true).build());
          long total = System.nanoTime() - t0;
          JsonObject row = c.deepCopy();
          row.addProperty("decision", r.getVerdict().getDecision().name());
          row.addProperty("score", r.getVerdict().getScore());
          row.addProperty("total_ms", total / 1e6);
          JsonObject stages = new JsonObject();
          for (StageTiming s : r.getProcessing().getTimingsList()) {
            stages.addProperty(s.getStage(), s.getMicros() / 1e3);
          }
          row.add("stages_ms", stages);
          int samples = (int) Math.round(c.get("seconds").getAsDouble() * rate);
          String original = "";
          String baseband = "";
          double recognizeMs = 0;
          synchronized (heard) {
            for (Heard h : heard) {
              recognizeMs += h.nanos() / 1e6;
              // The manifest's duration is rounded to milliseconds: match lengths within 1%.
              if (h.rate() == rate && Math.abs(h.length() - samples) <= samples / 100 + 2 && original.isEmpty()) {
                original = h.transcript().text();
              } else if (h.rate() == SpeechRecognizer.RATE && rate != SpeechRecognizer.RATE && baseband.isEmpty()) {
                baseband = h.transcript().text();
              }
            }
          }
          row.addProperty("recognize_ms", recognizeMs);
          row.addProperty("transcript", original);
          row.addProperty("baseband", baseband);
          String ref = c.get("text").getAsString();
          String hyp = c.get("kind").getAsString().equals("am") ? baseband : original;
          row.addProperty("wer", ref.isEmpty() ? 0 : WordDistance.wordErrorRate(ref, hyp));
          List<String> cats = new ArrayList<>();
          for (Finding f : r.getFindingsList()) {
            cats.add(f.getDetector() + ":" + f.getCategory().name().replace("CATEGORY_", "") + ":" + f.getScore());
          }
          row.add("findings", gson.toJsonTree(cats));
          // The same text screened as text: what recognition loses is the difference.
          if (!ref.isEmpty()) {
            var tr = textStub.withDeadlineAfter(10, TimeUnit.SECONDS)
                .screenText(ScreenTextRequest.newBuilder().setId("t").setText(ref).build());
            row.addProperty("text_decision", tr.getVerdict().getDecision().name());
          }
          w.write(gson.toJson(row));
          w.newLine();
          w.flush();
          System.out.printf(Locale.ROOT, "%s %s %s %-5s %.1fs %s wer=%.2f | %s%n", c.get("id").getAsString(),
              c.get("kind").getAsString(), c.get("split").getAsString(), r.getVerdict().getDecision().name()
                  .replace("DECISION_", ""), total / 1e9, c.get("channel").getAsString(),
              row.get("wer").getAsDouble(), hyp.length() > 90 ? hyp.substring(0, 90) : hyp);
        }
      }
      latency(engine, manifest, clips, out);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      text.close();
    }
  }

  /**
   * Drift scores of benign speech, {@code perChannel} clips of each channel (clean, snr20,
   * snr10, phone), tune split first; the threshold is the tune split's 95th percentile.
   */
  private static void drift(DriftDetector detector, Spectral spectral, Path manifest, List<JsonObject> clips, Path out,
      int perChannel) throws Exception {
    Map<String, Integer> taken = new TreeMap<>();
    List<JsonObject> chosen = new ArrayList<>();
    for (String split : List.of("tune", "held")) {
      for (JsonObject c : clips) {
        String ch = c.get("channel").getAsString();
        if (c.get("kind").getAsString().equals("speech") && c.get("label").getAsInt() == 0
            && c.get("split").getAsString().equals(split) && taken.getOrDefault(split + ":" + ch, 0) < perChannel) {
          taken.merge(split + ":" + ch, 1, Integer::sum);
          chosen.add(c);
        }
      }
    }
    Gson gson = new Gson();
    try (BufferedWriter w = Files.newBufferedWriter(out.resolve("drift.jsonl"))) {
      for (JsonObject c : chosen) {
        DecodedAudio a = new SafeWavDecoder(AudioLimits.DEFAULTS)
            .decode(Files.readAllBytes(manifest.getParent().resolve(c.get("path").getAsString())));
        float[] x = spectral.gate(a.mono(), io.screenmesh.kernels.GateConfig.defaults(a.sampleRate()));
        float[] y = x;
        if (Denoising.DEFAULTS.lowPasses(a.sampleRate())) {
          y = new float[x.length];
          spectral.lowPass(x, y, 1, x.length, a.sampleRate(), (float) Denoising.DEFAULTS.cutoffHz(), Denoising.DEFAULTS.taps());
        }
        var heard = detector.transcripts(new PreparedAudio(ScreenAudioRequest.getDefaultInstance(), a, y));
        JsonObject row = new JsonObject();
        row.addProperty("id", c.get("id").getAsString());
        row.addProperty("split", c.get("split").getAsString());
        row.addProperty("channel", c.get("channel").getAsString());
        row.addProperty("voice", c.get("voice").getAsString());
        row.addProperty("score", DriftDetector.score(heard));
        heard.forEach((k, t) -> row.addProperty(k, t.text()));
        w.write(gson.toJson(row));
        w.newLine();
        w.flush();
        System.out.printf(Locale.ROOT, "%s %s %-6s drift %.2f | %s%n", c.get("id").getAsString(),
            c.get("split").getAsString(), c.get("channel").getAsString(), DriftDetector.score(heard),
            heard.get("original").text());
      }
    }
  }

  /** Screens one 10 s clip (the first clean benign speech clip, cut or padded to 10 s) several times. */
  private static void latency(AudioEngine engine, Path manifest, List<JsonObject> clips, Path out) throws Exception {
    JsonObject pick = clips.stream().filter(c -> c.get("kind").getAsString().equals("speech")
        && c.get("channel").getAsString().equals("clean") && c.get("seconds").getAsDouble() >= 6)
        .findFirst().orElseThrow();
    DecodedAudio a = new SafeWavDecoder(AudioLimits.DEFAULTS)
        .decode(Files.readAllBytes(manifest.getParent().resolve(pick.get("path").getAsString())));
    float[] ten = Arrays.copyOf(a.mono(), a.sampleRate() * 10);
    // Repeat the speech rather than pad with silence, so the whole 10 s is speech.
    for (int i = a.mono().length; i < ten.length; i++) {
      ten[i] = a.mono()[i % a.mono().length];
    }
    byte[] wav = SanitizedWav.encode(ten, a.sampleRate());
    List<Double> totals = new ArrayList<>();
    Map<String, List<Double>> stages = new TreeMap<>();
    for (int i = 0; i < 7; i++) {
      long t0 = System.nanoTime();
      ScreenAudioResponse r = engine.screen(ScreenAudioRequest.newBuilder().setId("ten-" + i)
          .setData(ByteString.copyFrom(wav)).setOmitSanitized(true).build());
      totals.add((System.nanoTime() - t0) / 1e6);
      for (StageTiming s : r.getProcessing().getTimingsList()) {
        stages.computeIfAbsent(s.getStage(), k -> new ArrayList<>()).add(s.getMicros() / 1e3);
      }
      if (r.getVerdict().getDecision() == Decision.DECISION_UNSPECIFIED) {
        throw new IllegalStateException("no verdict");
      }
    }
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "10 s clip (%s, %d Hz), 7 runs: end to end p50 %.0f ms, min %.0f, max %.0f%n",
        pick.get("id").getAsString(), a.sampleRate(), median(totals), totals.stream().mapToDouble(d -> d).min().orElse(0),
        totals.stream().mapToDouble(d -> d).max().orElse(0)));
    for (var e : stages.entrySet()) {
      double p50 = median(e.getValue());
      b.append(String.format(Locale.ROOT, "  stage %-28s p50 %7.1f ms  RTF %.3f%n", e.getKey(), p50, p50 / 10_000));
    }
    System.out.print(b);
    Files.writeString(out.resolve("latency.txt"), b.toString());
  }

  private static double median(List<Double> v) {
    double[] s = v.stream().mapToDouble(d -> d).sorted().toArray();
    return s.length == 0 ? 0 : s[s.length / 2];
  }
}
