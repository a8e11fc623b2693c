package io.screenmesh.audio;

import com.google.protobuf.ByteString;
import io.grpc.Deadline;
import io.grpc.Status;
import io.screenmesh.audio.v1.AudioInfo;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.audio.v1.ScreenAudioResponse;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.kernels.Spectral;
import io.screenmesh.services.common.ComputeBackend;
import io.screenmesh.services.common.ScreeningException;
import io.screenmesh.services.common.Stages;
import io.screenmesh.services.common.engine.DetectionContext;
import io.screenmesh.services.common.engine.DetectorRegistry;
import io.screenmesh.services.common.engine.DynamicBatcher;
import io.screenmesh.services.common.engine.ModalityVerdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * Screens batches of clips: each clip is decoded under limits and downmixed to mono; the clips
 * go through the spectral hot path (stationary gate, then low-pass, {@link Denoising}) — clips of
 * equal rate and length in one {@code clips × length} call; the detectors read the original and
 * the denoised signal ({@link PreparedAudio}); the verdict follows {@link ModalityVerdict}; the
 * sanitized copy is a mono 16-bit WAV of the denoised signal, so nothing above the cutoff (an
 * inaudible carrier) and none of the original's chunks reach the caller.
 *
 * <p>Plain Java, usable from tools, benchmarks and tests; the service feeds it from a
 * {@link DynamicBatcher} ({@link #handle}). Thread-safe: batches may run concurrently.
 */
public final class AudioEngine {

  /** The service name reported in responses. */
  public static final String SERVICE = "audio-screening";

  // The most samples denoised in one call: equal clips are concatenated into one array, and a
  // batch of long clips must not double the memory of a batch that is already large.
  private static final long MAX_SAMPLES_PER_CALL = 1 << 22;

  private final ClipDecoder decoder;
  private final DetectorRegistry<PreparedAudio> registry;
  private final ModalityVerdict verdict;
  private final Spectral spectral;
  private final Denoising denoising;

  /**
   * Creates an engine.
   *
   * @param decoder decodes clips under the service's limits (WAV alone, or {@link AudioDecoders})
   * @param registry the audio detectors
   * @param verdict turns findings into the verdict
   * @param spectral the spectral hot path on the service's backend
   * @param denoising the gate and low-pass settings
   */
  public AudioEngine(ClipDecoder decoder, DetectorRegistry<PreparedAudio> registry, ModalityVerdict verdict,
      Spectral spectral, Denoising denoising) {
    this.decoder = decoder;
    this.registry = registry;
    this.verdict = verdict;
    this.spectral = spectral;
    this.denoising = denoising;
  }

  /** The detector registry. */
  public DetectorRegistry<PreparedAudio> registry() {
    return registry;
  }

  /**
   * The answer to one request: a response, or the failure to report for it.
   *
   * @param response the response, or null
   * @param failure why the clip could not be screened, or null
   */
  public record Answer(ScreenAudioResponse response, Throwable failure) {}

  /** One request on its way through a batch. */
  private static final class Slot {
    final ScreenAudioRequest request;
    final int batchSize;
    final Stages stages = new Stages();
    DecodedAudio decoded;
    float[] denoised;
    Answer answer;

    Slot(ScreenAudioRequest request, int batchSize) {
      this.request = request;
      this.batchSize = batchSize;
    }
  }

  /**
   * Screens one batch from the batcher, answering every item: an item that cannot be decoded is
   * failed alone; the others are answered with their responses.
   */
  public void handle(List<DynamicBatcher.Item<ScreenAudioRequest, ScreenAudioResponse>> batch) {
    List<Slot> slots = new ArrayList<>(batch.size());
    Deadline earliest = null;
    for (var item : batch) {
      slots.add(new Slot(item.input(), item.batchSize()));
      Deadline d = item.deadline();
      earliest = d == null ? earliest : earliest == null ? d : earliest.minimum(d);
    }
    run(slots, new DetectionContext(earliest, () -> batch.stream().noneMatch(DynamicBatcher.Item::wanted)),
        i -> batch.get(i).wanted());
    for (int i = 0; i < batch.size(); i++) {
      Answer a = slots.get(i).answer;
      if (a.failure() != null) {
        batch.get(i).fail(a.failure());
      } else {
        batch.get(i).complete(a.response());
      }
    }
  }

  /**
   * Screens {@code requests} as one batch, without deadline; for tools, warm-up and tests.
   *
   * @return one answer per request, in order
   */
  public List<Answer> screenAll(List<ScreenAudioRequest> requests) {
    List<Slot> slots = new ArrayList<>(requests.size());
    for (ScreenAudioRequest r : requests) {
      slots.add(new Slot(r, requests.size()));
    }
    run(slots, DetectionContext.NONE, i -> true);
    return slots.stream().map(s -> s.answer).toList();
  }

  /**
   * Screens one request as a batch of one.
   *
   * @throws io.screenmesh.services.common.ScreeningException for a clip that cannot be screened
   *     (INVALID_ARGUMENT, RESOURCE_EXHAUSTED)
   * @throws CompletionException wrapping any other failure
   */
  public ScreenAudioResponse screen(ScreenAudioRequest request) {
    Answer a = screenAll(List.of(request)).getFirst();
    if (a.failure() instanceof RuntimeException e) {
      throw e;
    }
    if (a.failure() != null) {
      throw new CompletionException(a.failure());
    }
    return a.response();
  }

  private interface Wanted {
    boolean test(int index);
  }

  private void run(List<Slot> slots, DetectionContext context, Wanted wanted) {
    List<Slot> live = new ArrayList<>(slots.size());
    for (int i = 0; i < slots.size(); i++) {
      Slot s = slots.get(i);
      try {
        byte[] data = s.request.getData().toByteArray();
        s.decoded = s.stages.time("decode", () -> decoder.decode(data));
        if (wanted.test(i)) {
          live.add(s);
        } else {
          // Its caller has gone: the batcher answered it; no one waits for the work.
          s.answer = new Answer(null, new ScreeningException(Status.Code.CANCELLED, "CANCELLED",
              "the call ended before its clip was screened"));
        }
      } catch (RuntimeException | OutOfMemoryError e) {
        s.answer = new Answer(null, e);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    try {
      denoise(live);
      List<PreparedAudio> prepared = live.stream().map(s -> new PreparedAudio(s.request, s.decoded, s.denoised)).toList();
      long t0 = System.nanoTime();
      List<DetectorRegistry.Screened> screened = registry.run(prepared, context);
      long detectNanos = System.nanoTime() - t0;
      for (int i = 0; i < live.size(); i++) {
        Slot s = live.get(i);
        s.stages.record("detect", detectNanos);
        s.answer = new Answer(respond(s, screened.get(i)), null);
      }
    } catch (RuntimeException | OutOfMemoryError e) {
      for (Slot s : live) {
        if (s.answer == null) {
          s.answer = new Answer(null, e);
        }
      }
    }
  }

  /** Denoises every live clip: one call per group of equal rate and length. */
  private void denoise(List<Slot> live) {
    Map<List<Integer>, List<Slot>> groups = new LinkedHashMap<>();
    for (Slot s : live) {
      groups.computeIfAbsent(List.of(s.decoded.sampleRate(), s.decoded.mono().length), k -> new ArrayList<>()).add(s);
    }
    for (List<Slot> group : groups.values()) {
      int length = group.getFirst().decoded.mono().length;
      int perCall = (int) Math.max(1, MAX_SAMPLES_PER_CALL / Math.max(1, length));
      for (int from = 0; from < group.size(); from += perCall) {
        List<Slot> call = group.subList(from, Math.min(group.size(), from + perCall));
        long t0 = System.nanoTime();
        denoise(call, group.getFirst().decoded.sampleRate(), length);
        long nanos = System.nanoTime() - t0;
        for (Slot s : call) {
          s.stages.record("denoise", nanos);
        }
      }
    }
  }

  private void denoise(List<Slot> call, int rate, int length) {
    int clips = call.size();
    if (length == 0) {
      call.forEach(s -> s.denoised = s.decoded.mono());
      return;
    }
    float[] signal;
    if (clips == 1) {
      signal = call.getFirst().decoded.mono();
    } else {
      signal = new float[clips * length];
      for (int c = 0; c < clips; c++) {
        System.arraycopy(call.get(c).decoded.mono(), 0, signal, c * length, length);
      }
    }
    if (denoising.gate()) {
      float[] gated = new float[signal.length];
      spectral.gate(signal, gated, clips, length, denoising.gateConfig(rate));
      signal = gated;
    }
    if (denoising.lowPasses(rate)) {
      float[] filtered = new float[signal.length];
      spectral.lowPass(signal, filtered, clips, length, rate, (float) denoising.cutoffHz(), denoising.taps());
      signal = filtered;
    }
    if (clips == 1) {
      call.getFirst().denoised = signal;
      return;
    }
    for (int c = 0; c < clips; c++) {
      float[] own = new float[length];
      System.arraycopy(signal, c * length, own, 0, length);
      call.get(c).denoised = own;
    }
  }

  private ScreenAudioResponse respond(Slot s, DetectorRegistry.Screened screened) {
    DecodedAudio audio = s.decoded;
    ScreenAudioResponse.Builder out = ScreenAudioResponse.newBuilder()
        .setId(s.request.getId())
        .setInfo(AudioInfo.newBuilder()
            .setFormat(audio.format())
            .setEncoding(audio.encoding())
            .setSampleRate(audio.sampleRate())
            .setChannels(audio.channels())
            .setDurationSeconds(audio.seconds()))
        .addAllFindings(screened.findings())
        .setVerdict(verdict.decide(screened.findings()));
    if (!s.request.getOmitSanitized()) {
      out.setSanitizedWav(ByteString.copyFrom(s.stages.time("sanitize",
          () -> SanitizedWav.encode(s.denoised, audio.sampleRate()))));
    }
    return out.setProcessing(ProcessingInfo.newBuilder()
            .setService(SERVICE)
            .setBackend(ComputeBackend.toProto(spectral.backend()))
            .addAllTimings(s.stages.timings())
            .addAllDetectors(screened.runs())
            .setBatchSize(s.batchSize))
        .build();
  }
}
