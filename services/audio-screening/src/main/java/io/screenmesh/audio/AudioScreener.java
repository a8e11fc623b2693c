package io.screenmesh.audio;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.quarkus.grpc.GrpcClient;
import io.screenmesh.audio.v1.AudioInfo;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.audio.v1.ScreenAudioResponse;
import io.screenmesh.common.v1.Backend;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.Finding;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.kernels.Spectral;
import io.screenmesh.services.common.DerivedTextScreener;
import io.screenmesh.services.common.SeverityVerdict;
import io.screenmesh.services.common.Stages;
import io.screenmesh.text.v1.TextOrigin;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Screens one clip: safe decode under limits, the ultrasonic-energy detector, LIST/INFO text
 * screened by text-screening, and a sanitized mono 16-bit WAV from the samples alone.
 * Blocking and CPU-bound: call it off the event loop.
 *
 * <p>Created at start-up rather than on the first call, so the compute backend is chosen (and
 * logged) then: an explicit {@code screenmesh.backend} that cannot start stops the service
 * before it takes traffic.
 */
@Startup
@ApplicationScoped
public class AudioScreener {

  /** The service name reported in responses. */
  public static final String SERVICE = "audio-screening";
  /** The decode detector (limits, strict parsing). */
  public static final String DECODE = "audio.decode";
  /** The metadata-text detector. */
  public static final String METADATA_TEXT = "audio.metadata-text";

  private static final String LATER = "arrives in a later release";
  private static final List<String> NOT_YET = List.of("audio.denoise", "audio.speech", "audio.transcript-drift");

  private final SafeWavDecoder decoder;
  private final UltrasonicDetector ultrasonic;
  private final DerivedTextScreener text;

  /** Creates the screener from configuration and the "text" gRPC client. */
  public AudioScreener(AudioConfig config, @GrpcClient("text") Channel textChannel) {
    this.decoder = new SafeWavDecoder(config.limits());
    this.ultrasonic = new UltrasonicDetector(Spectral.get(), config.ultrasonic().cutoffHz(),
        config.ultrasonic().flagFraction(), config.ultrasonic().blockFraction());
    this.text = new DerivedTextScreener(textChannel, config.textTimeout());
  }

  /**
   * Screens {@code request}.
   *
   * @param deadline the caller's deadline, or null; calls to text-screening end by it
   * @throws io.screenmesh.services.common.ScreeningException for input that cannot be screened
   *     (INVALID_ARGUMENT, RESOURCE_EXHAUSTED) or when text-screening cannot answer (UNAVAILABLE,
   *     DEADLINE_EXCEEDED)
   */
  public ScreenAudioResponse screen(ScreenAudioRequest request, Deadline deadline) {
    Stages stages = new Stages();
    byte[] data = request.getData().toByteArray();
    DecodedAudio audio = stages.time("decode", () -> decoder.decode(data));
    UltrasonicDetector.Result hf = stages.time("ultrasonic", () -> ultrasonic.detect(audio.mono(), audio.sampleRate()));

    List<Finding> findings = new ArrayList<>();
    if (hf.finding() != null) {
      findings.add(hf.finding());
    }
    findings.addAll(stages.time("fanout.text", () -> text.screen(audio.metadata(), TextOrigin.TEXT_ORIGIN_METADATA,
        Modality.MODALITY_AUDIO, METADATA_TEXT, "metadata:", deadline)));

    ScreenAudioResponse.Builder out = ScreenAudioResponse.newBuilder()
        .setId(request.getId())
        .setInfo(AudioInfo.newBuilder()
            .setFormat("wav")
            .setEncoding(audio.encoding())
            .setSampleRate(audio.sampleRate())
            .setChannels(audio.channels())
            .setDurationSeconds(audio.seconds()))
        .addAllFindings(findings)
        .setVerdict(SeverityVerdict.of(findings));
    if (!request.getOmitSanitized()) {
      out.setSanitizedWav(ByteString.copyFrom(stages.time("sanitize",
          () -> SanitizedWav.encode(audio.mono(), audio.sampleRate()))));
    }
    ProcessingInfo.Builder processing = ProcessingInfo.newBuilder()
        .setService(SERVICE)
        .setBackend(hf.ran() ? backend() : Backend.BACKEND_UNSPECIFIED)
        .addAllTimings(stages.timings())
        .addDetectors(DetectorRun.newBuilder().setDetector(DECODE).setRan(true))
        .addDetectors(DetectorRun.newBuilder().setDetector(METADATA_TEXT).setRan(true))
        .addDetectors(DetectorRun.newBuilder().setDetector(UltrasonicDetector.ID).setRan(hf.ran()).setReason(hf.reason()));
    for (String d : NOT_YET) {
      processing.addDetectors(DetectorRun.newBuilder().setDetector(d).setRan(false).setReason(LATER));
    }
    return out.setProcessing(processing).build();
  }

  private Backend backend() {
    return switch (ultrasonic.backend()) {
      case JAVA -> Backend.BACKEND_JAVA;
      case NATIVE -> Backend.BACKEND_NATIVE;
      case CUDA -> Backend.BACKEND_CUDA;
    };
  }
}
