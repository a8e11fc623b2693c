package io.screenmesh.fusion.testing;

import io.grpc.stub.StreamObserver;
import io.screenmesh.audio.v1.AudioScreeningServiceGrpc;
import io.screenmesh.audio.v1.ScreenAudioRequest;
import io.screenmesh.audio.v1.ScreenAudioResponse;
import io.screenmesh.common.v1.ProcessingInfo;
import io.screenmesh.common.v1.StageTiming;
import io.screenmesh.image.v1.ImageScreeningServiceGrpc;
import io.screenmesh.image.v1.ScreenImageRequest;
import io.screenmesh.image.v1.ScreenImageResponse;
import io.screenmesh.text.v1.ScreenTextRequest;
import io.screenmesh.text.v1.ScreenTextResponse;
import io.screenmesh.text.v1.TextScreeningServiceGrpc;
import java.io.IOException;

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
    FaultInjectionPeers p = new FaultInjectionPeers();
    p.text.start(new TextScreeningServiceGrpc.TextScreeningServiceImplBase() {
      @Override
      public void screenText(ScreenTextRequest request, StreamObserver<ScreenTextResponse> observer) {
        p.text.handle(observer, () -> ScreenTextResponse.newBuilder()
            .setId(request.getId())
            .addAllFindings(p.text.scriptedFindings())
            .setSanitizedText(sanitizedText(request.getText()))
            .setNormalizedText(request.getText())
            .setProcessing(processing())
            .build());
      }
    });
    p.image.start(new ImageScreeningServiceGrpc.ImageScreeningServiceImplBase() {
      @Override
      public void screenImage(ScreenImageRequest request, StreamObserver<ScreenImageResponse> observer) {
        p.image.handle(observer, () -> ScreenImageResponse.newBuilder()
            .setId(request.getId())
            .addAllFindings(p.image.scriptedFindings())
            .setSanitizedPng(sanitizedBytes(request.getData()))
            .setProcessing(processing())
            .build());
      }
    });
    p.audio.start(new AudioScreeningServiceGrpc.AudioScreeningServiceImplBase() {
      @Override
      public void screenAudio(ScreenAudioRequest request, StreamObserver<ScreenAudioResponse> observer) {
        p.audio.handle(observer, () -> ScreenAudioResponse.newBuilder()
            .setId(request.getId())
            .addAllFindings(p.audio.scriptedFindings())
            .setSanitizedWav(sanitizedBytes(request.getData()))
            .setProcessing(processing())
            .build());
      }
    });
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

  private static ProcessingInfo processing() {
    return ProcessingInfo.newBuilder().setService(PEER_SERVICE)
        .addTimings(StageTiming.newBuilder().setStage("scripted").setMicros(1)).build();
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
