package io.screenmesh.fusion.testing;

import io.grpc.stub.StreamObserver;
import io.screenmesh.audio.v1.AudioScreeningServiceGrpc;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.audio.v1.ScreenAudioResponse;
import com.google.protobuf.ByteString;
import io.screenmesh.common.v1.DetectorRun;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.common.v1.StageTiming;
import io.screenmesh.image.v1.ImageScreeningServiceGrpc;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.io.IOException;
import java.util.List;

/**
 * The three modality services as {@link FaultInjectionPeer}s, each on its own free port.
 * Answers are deterministic: the scripted findings, a sanitized copy that is recognisably
 * derived from the input ({@link #sanitizedText}, {@link #sanitizedBytes}) and a
 * ProcessingInfo naming the peer, so tests can check what the front door copies.
 */
public final class FaultInjectionPeers implements AutoCloseable {

  /** Service name the peers put in their ProcessingInfo. */
  public static final String PEER_SERVICE = "fault-injection-peer";

  /** Stands in for text-screening. */
  public final FaultInjectionPeer text = new FaultInjectionPeer("text-screening");
  /** Stands in for image-screening. */
  public final FaultInjectionPeer image = new FaultInjectionPeer("image-screening");
  /** Stands in for audio-screening. */
  public final FaultInjectionPeer audio = new FaultInjectionPeer("audio-screening");

  private FaultInjectionPeers() {}

  /** Starts the three peers. */
  public static FaultInjectionPeers start() throws IOException {
    return start(0);
  }

  /**
   * Starts the three peers with HTTP/2's rapid-reset guard on: a connection that carries
   * more than {@code maxRstFramesPerWindow} RST frames in 30 s is closed with GOAWAY
   * ENHANCE_YOUR_CALM; 0 leaves the guard off.
   */
  public static FaultInjectionPeers start(int maxRstFramesPerWindow) throws IOException {
    FaultInjectionPeers p = new FaultInjectionPeers();
    p.text.start(new TextScreeningServiceGrpc.TextScreeningServiceImplBase() {
      @Override
      public void screenText(ScreenTextRequest request, StreamObserver<ScreenTextResponse> observer) {
        p.text.handle(observer, request.getOmitSanitized(), () -> {
          ScreenTextResponse.Builder b = ScreenTextResponse.newBuilder()
              .setId(request.getId())
              .addAllFindings(p.text.scriptedFindings())
              .setProcessing(p.text.scriptedProcessing());
          if (request.getOmitSanitized()) {
            b.setSanitizedOmitted(true);
          } else {
            b.setSanitizedText(sanitizedText(request.getText())).setNormalizedText(request.getText());
          }
          return b.build();
        });
      }
    }, maxRstFramesPerWindow);
    p.image.start(new ImageScreeningServiceGrpc.ImageScreeningServiceImplBase() {
      @Override
      public void screenImage(ScreenImageRequest request, StreamObserver<ScreenImageResponse> observer) {
        p.image.handle(observer, request.getOmitSanitized(), () -> ScreenImageResponse.newBuilder()
            .setId(request.getId())
            .addAllFindings(p.image.scriptedFindings())
            .setSanitizedPng(request.getOmitSanitized() ? ByteString.EMPTY : sanitizedBytes(request.getData()))
            .setProcessing(p.image.scriptedProcessing())
            .build());
      }
    }, maxRstFramesPerWindow);
    p.audio.start(new AudioScreeningServiceGrpc.AudioScreeningServiceImplBase() {
      @Override
      public void screenAudio(ScreenAudioRequest request, StreamObserver<ScreenAudioResponse> observer) {
        p.audio.handle(observer, request.getOmitSanitized(), () -> ScreenAudioResponse.newBuilder()
            .setId(request.getId())
            .addAllFindings(p.audio.scriptedFindings())
            .setSanitizedWav(request.getOmitSanitized() ? ByteString.EMPTY : sanitizedBytes(request.getData()))
            .setProcessing(p.audio.scriptedProcessing())
            .build());
      }
    }, maxRstFramesPerWindow);
    return p;
  }

  /** The sanitized text a peer returns for {@code text}. */
  public static String sanitizedText(String text) {
    return "sanitized:" + text;
  }

  /** The sanitized bytes a peer returns for {@code data}: the bytes reversed. */
  public static com.google.protobuf.ByteString sanitizedBytes(com.google.protobuf.ByteString data) {
    byte[] b = data.toByteArray();
    for (int i = 0, j = b.length - 1; i < j; i++, j--) {
      byte t = b[i];
      b[i] = b[j];
      b[j] = t;
    }
    return com.google.protobuf.ByteString.copyFrom(b);
  }

  /** The ProcessingInfo a peer answers with unless a test scripts detector runs. */
  static ProcessingInfo processing(List<DetectorRun> detectors) {
    return ProcessingInfo.newBuilder().setService(PEER_SERVICE)
        .addTimings(StageTiming.newBuilder().setStage("scripted").setMicros(1))
        .addAllDetectors(detectors).build();
  }

  /** Clears every peer's faults, findings and counters. */
  public void reset() {
    text.reset();
    image.reset();
    audio.reset();
  }

  @Override
  public void close() throws InterruptedException {
    text.close();
    image.close();
    audio.close();
  }
}
