package io.screenmesh.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.screenmesh.audio.v1.AudioScreeningServiceGrpc;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.audio.v1.ScreenAudioResponse;
import io.screenmesh.audio.v1.ScreenAudioStreamRequest;
import io.screenmesh.audio.v1.ScreenAudioStreamResponse;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.screenmesh.common.v1.Backend;
import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.DetectorOutcome;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.services.common.GrpcErrors;
import io.screenmesh.services.common.testing.StreamCalls;
import java.net.URL;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The audio service over real gRPC, on clips that need no text-screening. */
@QuarkusTest
class AudioScreeningGrpcTest {

  @TestHTTPResource("/")
  URL url;

  private ManagedChannel channel;

  @BeforeEach
  void connect() {
    channel = ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext()
        .maxInboundMessageSize(64 << 20).build();
  }

  @AfterEach
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  private ScreenAudioResponse screen(String id, byte[] wav) {
    return AudioScreeningServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .screenAudio(ScreenAudioRequest.newBuilder().setId(id).setData(ByteString.copyFrom(wav)).build());
  }

  private void assertStatus(Status.Code code, String reason, byte[] data) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> screen("x", data));
    assertEquals(code, e.getStatus().getCode(), e.toString());
    assertEquals(reason, GrpcErrors.reasonOf(e), e.toString());
  }

  @Test
  void aSpokenBandClipIsAllowedWithAMonoSanitizedCopy() {
    float[] left = TestWavs.sine(220, 1, 48_000, 0.4);
    float[] right = TestWavs.sine(330, 1, 48_000, 0.4);
    ScreenAudioResponse r = screen("clip", TestWavs.wav(TestWavs.PCM, 16, 48_000, left, right));
    assertEquals("clip", r.getId());
    assertEquals(Decision.DECISION_ALLOW, r.getVerdict().getDecision());
    assertEquals("wav", r.getInfo().getFormat());
    assertEquals("pcm_s16le", r.getInfo().getEncoding());
    assertEquals(2, r.getInfo().getChannels());
    assertEquals(1.0, r.getInfo().getDurationSeconds(), 1e-9);
    DecodedAudio clean = new SafeWavDecoder(AudioLimits.DEFAULTS).decode(r.getSanitizedWav().toByteArray());
    assertEquals(1, clean.channels());
    assertEquals(48_000, clean.mono().length);
    // Every registered detector is listed, from the registry.
    Map<String, DetectorRun> runs = r.getProcessing().getDetectorsList().stream()
        .collect(Collectors.toMap(DetectorRun::getDetector, d -> d));
    assertEquals(Set.of("audio.metadata-text", "audio.ultrasonic", "audio.speech", "audio.drift"), runs.keySet());
    assertEquals("disabled by configuration", runs.get("audio.drift").getReason());
    assertEquals(DetectorOutcome.DETECTOR_OUTCOME_RAN, runs.get("audio.ultrasonic").getOutcome());
    assertEquals(DetectorOutcome.DETECTOR_OUTCOME_SKIPPED, runs.get("audio.metadata-text").getOutcome());
    assertEquals("no metadata text", runs.get("audio.metadata-text").getReason());
    // %test.screenmesh.backend=java in application.properties.
    assertEquals(Backend.BACKEND_JAVA, r.getProcessing().getBackend());
    assertTrue(r.getProcessing().getBatchSize() >= 1);
    assertTrue(r.getProcessing().getTimingsList().stream().anyMatch(t -> t.getStage().equals("denoise")));
  }

  @Test
  void healthSaysServingOnceWarm() throws InterruptedException {
    var health = HealthGrpc.newBlockingStub(channel);
    HealthCheckRequest ask = HealthCheckRequest.newBuilder().setService(AudioEngineProducer.SERVICE_NAME).build();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    ServingStatus status = ServingStatus.UNKNOWN;
    while (System.nanoTime() < until) {
      status = health.withDeadlineAfter(5, TimeUnit.SECONDS).check(ask).getStatus();
      if (status == ServingStatus.SERVING) {
        break;
      }
      Thread.sleep(100);
    }
    assertEquals(ServingStatus.SERVING, status);
  }

  @Test
  void anUltrasonicCarrierIsBlocked() {
    int rate = 96_000;
    float[] clip = new float[rate];
    for (int i = 0; i < rate; i++) {
      double t = (double) i / rate;
      clip[i] = (float) (0.6 * (1 + 0.7 * Math.sin(2 * Math.PI * 300 * t)) * Math.sin(2 * Math.PI * 30_000 * t) / 1.7);
    }
    ScreenAudioResponse r = screen("dolphin", TestWavs.wav(TestWavs.FLOAT, 32, rate, clip));
    assertEquals(Decision.DECISION_BLOCK, r.getVerdict().getDecision());
    assertEquals(Category.CATEGORY_INAUDIBLE_COMMAND, r.getFindings(0).getCategory());
    assertEquals("audio.ultrasonic", r.getFindings(0).getDetector());
  }

  @Test
  void badClipsGetTheDocumentedStatuses() {
    byte[] wav = TestWavs.wav(TestWavs.PCM, 16, 16_000, TestWavs.sine(440, 0.2, 16_000, 0.5));
    assertStatus(Status.Code.INVALID_ARGUMENT, "AUDIO_MALFORMED", Arrays.copyOf(wav, wav.length / 2));
    // An Ogg capture pattern picks the Ogg decoder, which finds the page cut short.
    assertStatus(Status.Code.INVALID_ARGUMENT, "AUDIO_MALFORMED", "OggS\0\2 an ogg page".getBytes());
    assertStatus(Status.Code.INVALID_ARGUMENT, "AUDIO_FORMAT_UNSUPPORTED", "neither WAV nor FLAC, Ogg or MP3".getBytes());
    assertStatus(Status.Code.INVALID_ARGUMENT, "AUDIO_SAMPLE_RATE_UNSUPPORTED",
        TestWavs.wav(TestWavs.PCM, 16, 5_512, TestWavs.sine(440, 0.1, 5_512, 0.5)));
    assertStatus(Status.Code.INVALID_ARGUMENT, "AUDIO_EMPTY", new byte[0]);
    // The test profile lowers screenmesh.audio.max-bytes to 2 MiB.
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, "AUDIO_TOO_LARGE", new byte[3 * 1024 * 1024]);
  }

  @Test
  void flacAndMp3GetTheWavsVerdictAndBadOnesTheirStatus() {
    ScreenAudioResponse wav = screen("wav", Fixtures.load("speech.wav"));
    for (String name : List.of("speech.flac", "speech.mp3")) {
      ScreenAudioResponse r = screen(name, Fixtures.load(name));
      assertEquals(wav.getVerdict().getDecision(), r.getVerdict().getDecision(), name);
      assertEquals(name.substring(name.indexOf('.') + 1), r.getInfo().getFormat());
      assertEquals(wav.getInfo().getDurationSeconds(), r.getInfo().getDurationSeconds(), 0.15, name);
      assertEquals(16_000, new SafeWavDecoder(AudioLimits.DEFAULTS).decode(r.getSanitizedWav().toByteArray()).sampleRate());
    }
    byte[] mp3 = Fixtures.load("speech.mp3");
    assertStatus(Status.Code.INVALID_ARGUMENT, "AUDIO_MALFORMED", Arrays.copyOf(mp3, mp3.length - 100));
    byte[] tenHours = Fixtures.load("speech.flac");
    // STREAMINFO's total samples (the low 36 bits of bytes 18..25): ten hours at 16 kHz.
    long total = 10L * 3600 * 16_000;
    tenHours[21] = (byte) ((tenHours[21] & 0xF0) | (total >>> 32));
    for (int i = 0; i < 4; i++) {
      tenHours[22 + i] = (byte) (total >>> (24 - 8 * i));
    }
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, "AUDIO_TOO_LONG", tenHours);
  }

  @Test
  void theStreamAnswersEveryClipInOrderAndSurvivesBadOnes() throws InterruptedException {
    byte[] good = TestWavs.wav(TestWavs.PCM, 16, 16_000, TestWavs.sine(440, 0.1, 16_000, 0.5));
    List<ScreenAudioStreamResponse> answers = StreamCalls.collect(
        AudioScreeningServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)::screenAudioStream,
        List.of(item("a", good), item("b", Arrays.copyOf(good, 30)), item("c", good),
            ScreenAudioStreamRequest.getDefaultInstance(), item("d", good)),
        Duration.ofSeconds(60));
    assertEquals(List.of("a", "b", "c", "", "d"), answers.stream().map(ScreenAudioStreamResponse::getId).toList());
    assertTrue(answers.get(0).hasResponse());
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), answers.get(1).getError().getCode());
    assertEquals("AUDIO_MALFORMED", answers.get(1).getError().getReason());
    assertTrue(answers.get(2).hasResponse());
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), answers.get(3).getError().getCode());
    assertEquals("MISSING_REQUEST", answers.get(3).getError().getReason());
    assertTrue(answers.get(4).hasResponse());
  }

  static ScreenAudioStreamRequest item(String id, byte[] wav) {
    return ScreenAudioStreamRequest.newBuilder()
        .setRequest(ScreenAudioRequest.newBuilder().setId(id).setData(ByteString.copyFrom(wav))).build();
  }
}
